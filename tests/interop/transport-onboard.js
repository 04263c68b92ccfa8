#!/usr/bin/env node
// First start of the OFFICIAL @nmshd/transport against a Backbone (the real one or our
// simulator): AccountController.init() on an empty in-memory database creates the identity and
// its device exactly as the Connector does on its first start (challenge, identity, login,
// datawallet version upgrade), then TokenController.sendToken creates a token as that identity.
// The shared setup (Transport config, in-memory database) is in lib/account.js.
// Prints ONE line of JSON on stdout.
//
//   node transport-onboard.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> [--address-domain <domain>] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"address":"did:e:…","deviceId":"DVC…","tokenId":"TOK…"}
//      or {"ok":false,"error":{"code":…,"message":…}}
// exit:   0 = onboarded and token created, 1 = failure (incl. timeout), 2 = usage error.
// Everything else (library logging, diagnostics) goes to stderr.
"use strict";

// First: it routes the libraries' console output to stderr, keeping stdout for the result line.
const { finish, printUsage, errorInfo } = require("./lib/output");

const { createTransport, initAccount, useOneTsServal } = require("./lib/account");

const USAGE =
    "usage: node transport-onboard.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> [--address-domain <domain>] [--timeout-ms <ms>]";

function parseArgs(argv) {
    const known = new Set(["backbone", "client-id", "client-secret", "address-domain", "timeout-ms"]);
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
    for (const required of ["backbone", "client-id", "client-secret"]) {
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
        // The Backbone's DidDomainName (the simulator's default); an IP base URL is no DID domain.
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
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `transport-onboard did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    useOneTsServal();
    const { JSONWrapper } = require("@js-soft/ts-serval");
    const { CoreDate } = require("@nmshd/core-types");

    // The Connector's first start (see lib/account.js): the Runtime's Transport, then
    // AccountController.init() on an empty in-memory database.
    const transport = await createTransport(args);

    let account;
    try {
        account = await initAccount(transport);
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "AccountController.init" } });
    }

    let token;
    try {
        token = await account.tokens.sendToken({
            content: JSONWrapper.from({ purpose: "transport-onboard interop" }),
            expiresAt: CoreDate.utc().add({ hours: 1 }),
            ephemeral: true
        });
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "TokenController.sendToken" } });
    }

    finish(0, {
        ok: true,
        address: account.identity.address.toString(),
        deviceId: account.activeDevice.id.toString(),
        tokenId: token.id.toString()
    });
}

main().catch((e) => finish(1, { ok: false, error: errorInfo(e) }));
