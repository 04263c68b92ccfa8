#!/usr/bin/env node
// Opens a token from a Backbone (the real one or our simulator) with the OFFICIAL
// @nmshd/transport AnonymousTokenController, exactly as an enmeshed app does for a
// scanned/clicked reference, and prints ONE line of JSON on stdout.
//
//   node open-token.js --backbone <backboneBaseUrl> --reference <truncated|url> [--password <pw>] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"id":…,"contentType":…,"fileId":…,"fileKey":"<b64url>",…}
//      or {"ok":false,"error":{"code":…,"message":…}}
// exit:   0 = opened, 1 = load failure (incl. timeout), 2 = usage error.
// Everything else (library logging, diagnostics) goes to stderr.
"use strict";

// First: it routes the libraries' console output to stderr, keeping stdout for the result line.
const { finish, printUsage, errorInfo } = require("./lib/output");

const USAGE =
    "usage: node open-token.js --backbone <backboneBaseUrl> --reference <truncated-reference|url> [--password <password-or-pin>] [--timeout-ms <ms>]";

function parseArgs(argv) {
    const known = new Set(["backbone", "reference", "password", "timeout-ms"]);
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "-h" || a === "--help") return { help: true };
        const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
        if (!m || !known.has(m[1])) throw new Error(`unknown argument '${a}'`);
        let v = m[2];
        if (v === undefined) {
            if (i + 1 >= argv.length) throw new Error(`--${m[1]} needs a value`);
            v = argv[++i];
        }
        if (m[1] in out) throw new Error(`--${m[1]} given twice`);
        out[m[1]] = v;
    }
    if (!out.backbone) throw new Error("--backbone is required");
    if (!out.reference) throw new Error("--reference is required");
    if (!/^https?:\/\/[^/]/.test(out.backbone)) throw new Error("--backbone must be an http(s) URL");
    let timeoutMs = 30000;
    if (out["timeout-ms"] !== undefined) {
        timeoutMs = Number(out["timeout-ms"]);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error("--timeout-ms must be an integer >= 100");
    }
    return { backbone: out.backbone.replace(/\/+$/, ""), reference: out.reference, password: out.password, timeoutMs };
}

async function main() {
    let args;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error(`${e.message}\n${USAGE}`);
        return finish(2, { ok: false, error: { code: "error.interop.usage", message: `${e.message}. ${USAGE}` } });
    }
    if (args.help) {
        return printUsage(USAGE);
    }

    // Never hang: a hard deadline for the whole run (library load, libsodium init, HTTP).
    setTimeout(() => {
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `open-token did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    const { SodiumWrapper } = require("@nmshd/crypto");
    const { SimpleLoggerFactory } = require("@js-soft/simple-logger");
    const { AnonymousTokenController, TokenReference, TransportLoggerFactory } = require("@nmshd/transport");

    await SodiumWrapper.ready();
    TransportLoggerFactory.init(new SimpleLoggerFactory());

    // Same shape as Transport's resolved IConfig (see @nmshd/transport dist/core/Transport.js
    // defaultConfig). The anonymous controller only uses baseUrl, the platform* HTTP settings and
    // the agent options; the client id/secret are placeholders (anonymous calls never log in).
    const config = {
        allowIdentityCreation: false,
        supportedDatawalletVersion: 1,
        supportedIdentityVersion: 1,
        supportedMinBackboneVersion: 6,
        supportedMaxBackboneVersion: 7,
        debug: false,
        platformClientId: "interop-placeholder-client-id",
        platformClientSecret: "interop-placeholder-client-secret",
        platformTimeout: Math.max(50, args.timeoutMs - 1000),
        platformMaxRedirects: 10,
        platformMaxUnencryptedFileSize: 10 * 1024 * 1024,
        baseUrl: args.backbone,
        datawalletEnabled: false,
        // no keep-alive: nothing may keep the process alive after the answer
        httpAgentOptions: { keepAlive: false },
        httpsAgentOptions: { keepAlive: false },
        tagCacheLifetimeInMinutes: 5
    };

    let reference;
    try {
        reference = TokenReference.from(args.reference);
    } catch (e) {
        const info = errorInfo(e);
        if (!(typeof e?.code === "string" && e.code)) info.code = "error.interop.invalidReference";
        info.message = `cannot parse reference: ${info.message}`;
        return finish(1, { ok: false, error: info });
    }

    const controller = new AnonymousTokenController(config);
    let token;
    try {
        token = await controller.loadPeerTokenByReference(reference, args.password);
    } catch (e) {
        return finish(1, { ok: false, error: errorInfo(e) });
    }

    const content = token.content;
    const contentJson = typeof content?.toJSON === "function" ? content.toJSON() : content;
    const secretKey = content?.secretKey;
    const pp = token.passwordProtection;
    finish(0, {
        ok: true,
        id: token.id.toString(),
        contentType: contentJson?.["@type"] ?? null,
        fileId: content?.fileId !== undefined ? content.fileId.toString() : null,
        fileKey: secretKey?.secretKey ? secretKey.secretKey.toBase64URL() : null,
        fileKeyAlg: secretKey?.algorithm ?? null,
        expiresAt: token.expiresAt.toISOString(),
        createdAt: token.createdAt.toISOString(),
        createdBy: token.createdBy.toString(),
        createdByDevice: token.createdByDevice.toString(),
        // The anonymous controller never sets forIdentity (and refuses personalized references
        // with error.transport.general.notIntendedForYou), so this is null for every token it opens.
        forIdentity: token.forIdentity ? token.forIdentity.toString() : null,
        passwordProtection: pp
            ? {
                  passwordType: pp.passwordType,
                  salt: pp.salt.toBase64(),
                  passwordLocationIndicator: pp.passwordLocationIndicator ?? null
              }
            : null,
        // what the reference itself said (the controller fetches from --backbone, not from here)
        reference: {
            backboneBaseUrl: reference.backboneBaseUrl ?? null,
            keyAlg: reference.key.algorithm,
            forIdentityTruncated: reference.forIdentityTruncated ?? null
        },
        content: contentJson
    });
}

main().catch((e) => finish(1, { ok: false, error: errorInfo(e) }));
