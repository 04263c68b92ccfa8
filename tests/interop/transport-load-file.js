#!/usr/bin/env node
// Loads a peer File with the OFFICIAL @nmshd/transport, as a second identity, the way the
// Runtime's GetOrLoadFile + DownloadFile use cases do (spec files.md §3.1, §4.2), and prints ONE
// line of JSON on stdout:
//   1. onboard a new identity on the Backbone exactly as transport-onboard.js does (lib/account.js);
//   2. parse the reference (`Reference.from`: truncated or url); a TOK reference →
//      `TokenController.loadPeerTokenByReference(ref, ephemeral = true, password)`, whose content
//      must be a `TokenContentFile{fileId, secretKey}`, then `FileController.getOrLoadFile(fileId,
//      secretKey)`; a FIL reference → `FileController.getOrLoadFileByReference(ref)`;
//      (`GET /api/v2/Tokens/{id}`, `GET /api/v2/Files/{id}/metadata`, decrypt the metadata)
//   3. `FileController.downloadFileContent(file)` (`GET /api/v2/Files/{id}`, cipherHash check,
//      decrypt with the content key, plaintextHash check).
//
//   node transport-load-file.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> --reference <truncated|url> [--password <pw-or-pin>] [--address-domain <domain>] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"via":"token"|"file","tokenId","fileId","filename","mimetype","filesize","title",
//          "description","tags","isOwn","owner","createdBy","createdByDevice","createdAt","expiresAt","contentBase64"}
//      or {"ok":false,"error":{"code":…,"message":…,"step":…}}
// exit:   0 = loaded and downloaded, 1 = failure (incl. timeout), 2 = usage error.
// Everything else (library logging, diagnostics) goes to stderr.
"use strict";

// First: it routes the libraries' console output to stderr, keeping stdout for the result line.
const { finish, printUsage, errorInfo } = require("./lib/output");

const { createTransport, initAccount, useOneTsServal } = require("./lib/account");

const USAGE =
    "usage: node transport-load-file.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> --reference <token-or-file-reference|url> [--password <password-or-pin>] [--address-domain <domain>] [--timeout-ms <ms>]";

function parseArgs(argv) {
    const known = new Set(["backbone", "client-id", "client-secret", "reference", "password", "address-domain", "timeout-ms"]);
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
    for (const required of ["backbone", "client-id", "client-secret", "reference"]) {
        if (!out[required]) throw new Error(`--${required} is required`);
    }
    if (!/^https?:\/\/[^/]/.test(out.backbone)) throw new Error("--backbone must be an http(s) URL");
    let timeoutMs = 30000;
    if (out["timeout-ms"] !== undefined) {
        timeoutMs = Number(out["timeout-ms"]);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error("--timeout-ms must be an integer >= 100");
    }
    return {
        backbone: out.backbone.replace(/\/+$/, ""),
        clientId: out["client-id"],
        clientSecret: out["client-secret"],
        reference: out.reference,
        password: out.password,
        addressDomain: out["address-domain"] ?? "localhost",
        timeoutMs
    };
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
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `transport-load-file did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    useOneTsServal();
    const { FileReference, Reference } = require("@nmshd/core-types");
    const { SodiumWrapper } = require("@nmshd/crypto");
    const { TokenContentFile, TokenReference } = require("@nmshd/transport");
    await SodiumWrapper.ready(); // the reference's key is decoded by libsodium

    // As the Runtime's GetOrLoadFile: one parser for both forms, then the id decides the branch.
    // Parsed before onboarding, so a bad reference costs no identity on the Backbone.
    let reference;
    let kind;
    try {
        const parsed = Reference.from(args.reference);
        const id = parsed.id.toString();
        if (id.startsWith("TOK")) {
            kind = "token";
            reference = TokenReference.from(args.reference);
        } else if (id.startsWith("FIL")) {
            kind = "file";
            reference = FileReference.from(args.reference);
        } else {
            throw new Error(`the reference is for '${id}', neither a token (TOK…) nor a file (FIL…)`);
        }
    } catch (e) {
        const info = errorInfo(e);
        if (!(typeof e?.code === "string" && e.code)) info.code = "error.interop.invalidReference";
        info.message = `cannot parse reference: ${info.message}`;
        return finish(1, { ok: false, error: info });
    }

    let transport;
    try {
        transport = await createTransport(args);
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "Transport.init" } });
    }

    let account;
    try {
        account = await initAccount(transport);
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "AccountController.init" } });
    }

    let file;
    let tokenId = null;
    if (kind === "token") {
        let token;
        try {
            // ephemeral = true: the Runtime's GetOrLoadFile does not keep the token.
            token = await account.tokens.loadPeerTokenByReference(reference, true, args.password);
        } catch (e) {
            return finish(1, { ok: false, error: { ...errorInfo(e), step: "TokenController.loadPeerTokenByReference" } });
        }
        tokenId = token.id.toString();
        const content = token.content;
        if (!(content instanceof TokenContentFile)) {
            const json = typeof content?.toJSON === "function" ? content.toJSON() : content;
            return finish(1, {
                ok: false,
                error: {
                    code: "error.interop.invalidTokenContent",
                    message: `the token's content is no TokenContentFile but ${JSON.stringify(json?.["@type"] ?? null)}`,
                    step: "TokenController.loadPeerTokenByReference",
                    tokenId
                }
            });
        }
        try {
            file = await account.files.getOrLoadFile(content.fileId, content.secretKey);
        } catch (e) {
            return finish(1, { ok: false, error: { ...errorInfo(e), step: "FileController.getOrLoadFile" } });
        }
    } else {
        try {
            file = await account.files.getOrLoadFileByReference(reference);
        } catch (e) {
            return finish(1, { ok: false, error: { ...errorInfo(e), step: "FileController.getOrLoadFileByReference" } });
        }
    }

    let content;
    try {
        content = await account.files.downloadFileContent(file);
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "FileController.downloadFileContent", fileId: file.id.toString() } });
    }

    finish(0, {
        ok: true,
        via: kind,
        tokenId,
        fileId: file.id.toString(),
        filename: file.filename,
        mimetype: file.mimetype,
        filesize: file.filesize,
        title: file.title ?? null,
        description: file.description ?? null,
        tags: file.tags ?? null,
        isOwn: file.isOwn,
        owner: file.owner.toString(),
        createdBy: file.createdBy.toString(),
        createdByDevice: file.createdByDevice.toString(),
        createdAt: file.createdAt.toISOString(),
        expiresAt: file.expiresAt.toISOString(),
        contentBase64: Buffer.from(content.buffer).toString("base64")
    });
}

main().catch((e) => finish(1, { ok: false, error: errorInfo(e) }));
