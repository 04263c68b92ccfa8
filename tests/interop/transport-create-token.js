#!/usr/bin/env node
// Creates a token of any JSON content with the OFFICIAL @nmshd/transport, as a new identity of
// its own, the way the Runtime's CreateOwnToken use case does, and prints ONE line of JSON:
//   1. onboard a new identity on the Backbone exactly as transport-onboard.js does (lib/account.js);
//   2. `TokenController.sendToken({content: Serializable.fromUnknown(content), expiresAt,
//      ephemeral: true, forIdentity, passwordProtection})` (`POST /api/v2/Tokens`): content with
//      no known `@type` becomes the transport's JSONWrapper, as in the Runtime;
//   3. `token.toTokenReference(baseUrl)`, `.truncate()` and `.toUrl()`.
//
//   node transport-create-token.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret>
//        --content-json <json object> --expires-at <ISO> [--password <pw> | --pin <digits>]
//        [--for-identity <address>] [--address-domain <domain>] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"address","deviceId","tokenId","createdAt","expiresAt","forIdentity",
//          "passwordProtection":{passwordType}|null,"tokenReference":{truncated,url}}
//      or {"ok":false,"error":{"code":…,"message":…,"step":…}}
// exit:   0 = created, 1 = failure (incl. timeout), 2 = usage error.
"use strict";

// First: it routes the libraries' console output to stderr, keeping stdout for the result line.
const { finish, printUsage, errorInfo } = require("./lib/output");

const { createTransport, initAccount, useOneTsServal } = require("./lib/account");

const USAGE =
    "usage: node transport-create-token.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> " +
    "--content-json <json object> --expires-at <ISO> [--password <pw> | --pin <digits>] [--for-identity <address>] " +
    "[--address-domain <domain>] [--timeout-ms <ms>]";

function parseArgs(argv) {
    const known = new Set([
        "backbone",
        "client-id",
        "client-secret",
        "content-json",
        "expires-at",
        "password",
        "pin",
        "for-identity",
        "address-domain",
        "timeout-ms"
    ]);
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "-h" || a === "--help") return { help: true };
        const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(a);
        if (!m || !known.has(m[1])) throw new Error(`unknown argument '${a}'`);
        let v = m[2];
        if (v === undefined) {
            if (i + 1 >= argv.length) throw new Error(`--${m[1]} needs a value`);
            v = argv[++i];
        }
        if (m[1] in out) throw new Error(`--${m[1]} given twice`);
        out[m[1]] = v;
    }
    for (const required of ["backbone", "client-id", "client-secret", "content-json", "expires-at"]) {
        if (!out[required]) throw new Error(`--${required} is required`);
    }
    if (!/^https?:\/\/[^/]/.test(out.backbone)) throw new Error("--backbone must be an http(s) URL");
    let content;
    try {
        content = JSON.parse(out["content-json"]);
    } catch (e) {
        throw new Error(`--content-json is no JSON: ${e.message}`);
    }
    if (content === null || typeof content !== "object" || Array.isArray(content)) throw new Error("--content-json must be a JSON object");
    const expiresAt = new Date(out["expires-at"]);
    if (Number.isNaN(expiresAt.getTime())) throw new Error("--expires-at must be an ISO-8601 date");
    if ("password" in out && "pin" in out) throw new Error("--password and --pin exclude each other");
    if ("pin" in out && !/^[0-9]{4,16}$/.test(out.pin)) throw new Error("--pin must be 4 to 16 digits");
    let timeoutMs = 30000;
    if (out["timeout-ms"] !== undefined) {
        timeoutMs = Number(out["timeout-ms"]);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error("--timeout-ms must be an integer >= 100");
    }
    return {
        backbone: out.backbone.replace(/\/+$/, ""),
        clientId: out["client-id"],
        clientSecret: out["client-secret"],
        content,
        expiresAt: expiresAt.toISOString(),
        password: out.password ?? out.pin,
        passwordIsPin: "pin" in out,
        forIdentity: out["for-identity"],
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

    // Never hang: a hard deadline for the whole run (library load, libsodium init, HTTP, Argon2id).
    setTimeout(() => {
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `transport-create-token did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    useOneTsServal();
    const { Serializable } = require("@js-soft/ts-serval");
    const { CoreAddress, CoreDate } = require("@nmshd/core-types");
    const { PasswordProtectionCreationParameters } = require("@nmshd/transport");

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

    let token;
    try {
        token = await account.tokens.sendToken({
            content: Serializable.fromUnknown(args.content),
            expiresAt: CoreDate.from(args.expiresAt),
            ephemeral: true,
            forIdentity: args.forIdentity === undefined ? undefined : CoreAddress.from(args.forIdentity),
            passwordProtection: PasswordProtectionCreationParameters.create(
                args.password === undefined ? undefined : { password: args.password, passwordIsPin: args.passwordIsPin }
            )
        });
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "TokenController.sendToken" } });
    }

    const reference = token.toTokenReference(transport.config.baseUrl);
    finish(0, {
        ok: true,
        address: account.identity.address.toString(),
        deviceId: account.activeDevice.id.toString(),
        tokenId: token.id.toString(),
        createdAt: token.createdAt.toISOString(),
        expiresAt: token.expiresAt.toISOString(),
        forIdentity: token.forIdentity ? token.forIdentity.toString() : null,
        passwordProtection: token.passwordProtection ? { passwordType: token.passwordProtection.passwordType } : null,
        tokenReference: { truncated: reference.truncate(), url: reference.toUrl() }
    });
}

main().catch((e) => finish(1, { ok: false, error: errorInfo(e) }));
