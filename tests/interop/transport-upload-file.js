#!/usr/bin/env node
// Uploads a File with the OFFICIAL @nmshd/transport, as a new identity of its own, and shares it
// through a token, the way the Runtime's UploadOwnFile + CreateTokenForFile use cases do (spec
// files.md §1.2, §1.3), and prints ONE line of JSON on stdout:
//   1. onboard a new identity on the Backbone exactly as transport-onboard.js does (lib/account.js);
//   2. `FileController.sendFile({buffer, filename, mimetype, title, description, expiresAt})`
//      (content and metadata encrypted, `POST /api/v2/Files`);
//   3. `TokenController.sendToken({content: TokenContentFile{fileId, secretKey}, expiresAt,
//      ephemeral: true, passwordProtection})` (`POST /api/v2/Tokens`), the password protection
//      built with `PasswordProtectionCreationParameters.create({password, passwordIsPin,
//      passwordLocationIndicator})` as the Runtime builds it;
//   4. the references as the Runtime's mappers make them: `file.toFileReference(baseUrl)` and
//      `token.toTokenReference(baseUrl)`, each `.truncate()` and `.toUrl()`.
//
//   node transport-upload-file.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret>
//        (--content-base64 <b64> | --content-file <path>) --filename <name> --mimetype <type>
//        [--title <title>] [--description <text>] [--expires-at <ISO>] [--token-expires-at <ISO>]
//        [--password <pw> | --pin <digits>] [--password-location-indicator <0-99|name>]
//        [--address-domain <domain>] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"address","deviceId","fileId","filename","mimetype","filesize","title","description",
//          "createdAt","expiresAt","fileReference":{truncated,url},"tokenId","tokenExpiresAt",
//          "passwordProtection":{passwordType,passwordLocationIndicator}|null,"tokenReference":{truncated,url}}
//      or {"ok":false,"error":{"code":…,"message":…,"step":…}}
// exit:   0 = uploaded and token created, 1 = failure (incl. timeout), 2 = usage error.
// Everything else (library logging, diagnostics) goes to stderr.
"use strict";

// First: it routes the libraries' console output to stderr, keeping stdout for the result line.
const { finish, printUsage, errorInfo } = require("./lib/output");

const fs = require("fs");
const { createTransport, initAccount, useOneTsServal } = require("./lib/account");

const USAGE =
    "usage: node transport-upload-file.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> " +
    "(--content-base64 <b64> | --content-file <path>) --filename <name> --mimetype <type> [--title <title>] [--description <text>] " +
    "[--expires-at <ISO>] [--token-expires-at <ISO>] [--password <pw> | --pin <digits>] [--password-location-indicator <0-99|name>] " +
    "[--address-domain <domain>] [--timeout-ms <ms>]";

// The Runtime's default expiry of an uploaded File (UploadOwnFile, spec files.md §1.2 item 4).
const DEFAULT_FILE_EXPIRES_AT = "9999-12-31T00:00:00.000Z";

function isoDate(name, value) {
    // The form CoreDate.toString() sends (UTC, milliseconds, Z); anything Date parses is accepted.
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new Error(`--${name} must be an ISO-8601 date`);
    return date.toISOString();
}

function parseArgs(argv) {
    const known = new Set([
        "backbone",
        "client-id",
        "client-secret",
        "content-base64",
        "content-file",
        "filename",
        "mimetype",
        "title",
        "description",
        "expires-at",
        "token-expires-at",
        "password",
        "pin",
        "password-location-indicator",
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
    for (const required of ["backbone", "client-id", "client-secret", "filename", "mimetype"]) {
        if (!out[required]) throw new Error(`--${required} is required`);
    }
    if (!/^https?:\/\/[^/]/.test(out.backbone)) throw new Error("--backbone must be an http(s) URL");

    // The content: exactly one source. Empty content is allowed here (the Backbone decides).
    if (("content-base64" in out) === ("content-file" in out)) throw new Error("exactly one of --content-base64 and --content-file is required");
    let content;
    if ("content-base64" in out) {
        const b64 = out["content-base64"];
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error("--content-base64 must be standard base64 with padding");
        content = Buffer.from(b64, "base64");
    } else {
        try {
            content = fs.readFileSync(out["content-file"]);
        } catch (e) {
            throw new Error(`--content-file cannot be read: ${e.message}`);
        }
    }

    if ("password" in out && "pin" in out) throw new Error("--password and --pin exclude each other");
    if ("password" in out && out.password === "") throw new Error("--password must not be empty");
    // The Runtime's rule for a PIN (passwordIsPin): 4 to 16 digits, stored as passwordType `pin<length>`.
    if ("pin" in out && !/^[0-9]{4,16}$/.test(out.pin)) throw new Error("--pin must be 4 to 16 digits");
    let passwordLocationIndicator;
    if ("password-location-indicator" in out) {
        if (!("password" in out || "pin" in out)) throw new Error("--password-location-indicator needs --password or --pin");
        const raw = out["password-location-indicator"];
        passwordLocationIndicator = /^[0-9]+$/.test(raw) ? Number(raw) : raw; // a name is resolved after the libraries load
    }

    let timeoutMs = 30000;
    if (out["timeout-ms"] !== undefined) {
        timeoutMs = Number(out["timeout-ms"]);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error("--timeout-ms must be an integer >= 100");
    }
    const expiresAt = out["expires-at"] !== undefined ? isoDate("expires-at", out["expires-at"]) : DEFAULT_FILE_EXPIRES_AT;
    return {
        backbone: out.backbone.replace(/\/+$/, ""),
        clientId: out["client-id"],
        clientSecret: out["client-secret"],
        content,
        filename: out.filename,
        mimetype: out.mimetype,
        title: out.title,
        description: out.description,
        expiresAt,
        // The Runtime's CreateTokenForFile default: the token expires with the File.
        tokenExpiresAt: out["token-expires-at"] !== undefined ? isoDate("token-expires-at", out["token-expires-at"]) : expiresAt,
        password: out.password ?? out.pin,
        passwordIsPin: "pin" in out,
        passwordLocationIndicator,
        addressDomain: out["address-domain"] ?? "localhost",
        timeoutMs
    };
}

function references(reference) {
    return { truncated: reference.truncate(), url: reference.toUrl() };
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
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `transport-upload-file did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    useOneTsServal();
    const { CoreDate, PasswordLocationIndicatorOptions } = require("@nmshd/core-types");
    const { CoreBuffer } = require("@nmshd/crypto");
    const { PasswordProtectionCreationParameters, TokenContentFile } = require("@nmshd/transport");

    if (typeof args.passwordLocationIndicator === "string") {
        const value = PasswordLocationIndicatorOptions[args.passwordLocationIndicator];
        if (typeof value !== "number") {
            const names = Object.keys(PasswordLocationIndicatorOptions).filter((k) => Number.isNaN(Number(k)));
            const message = `--password-location-indicator must be 0-99 or one of ${names.join(", ")}`;
            console.error(`${message}\n${USAGE}`);
            return finish(2, { ok: false, error: { code: "error.interop.usage", message: `${message}. ${USAGE}` } });
        }
        args.passwordLocationIndicator = value;
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
    try {
        // What UploadOwnFile passes (no filemodified, no tags here).
        file = await account.files.sendFile({
            buffer: CoreBuffer.from(args.content),
            filename: args.filename,
            mimetype: args.mimetype,
            title: args.title,
            description: args.description,
            expiresAt: CoreDate.from(args.expiresAt)
        });
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "FileController.sendFile" } });
    }

    let token;
    try {
        // What CreateTokenForFile passes: the File's id and metadata key, ephemeral by default.
        token = await account.tokens.sendToken({
            content: TokenContentFile.from({ fileId: file.id, secretKey: file.secretKey }),
            expiresAt: CoreDate.from(args.tokenExpiresAt),
            ephemeral: true,
            passwordProtection: PasswordProtectionCreationParameters.create(
                args.password === undefined
                    ? undefined
                    : { password: args.password, passwordIsPin: args.passwordIsPin, passwordLocationIndicator: args.passwordLocationIndicator }
            )
        });
    } catch (e) {
        return finish(1, { ok: false, error: { ...errorInfo(e), step: "TokenController.sendToken", fileId: file.id.toString() } });
    }

    const baseUrl = transport.config.baseUrl;
    finish(0, {
        ok: true,
        address: account.identity.address.toString(),
        deviceId: account.activeDevice.id.toString(),
        fileId: file.id.toString(),
        filename: file.filename,
        mimetype: file.mimetype,
        filesize: file.filesize,
        title: file.title ?? null,
        description: file.description ?? null,
        createdAt: file.createdAt.toISOString(),
        expiresAt: file.expiresAt.toISOString(),
        fileReference: references(file.toFileReference(baseUrl)),
        tokenId: token.id.toString(),
        tokenExpiresAt: token.expiresAt.toISOString(),
        passwordProtection: token.passwordProtection
            ? { passwordType: token.passwordProtection.passwordType, passwordLocationIndicator: token.passwordProtection.passwordLocationIndicator ?? null }
            : null,
        tokenReference: references(token.toTokenReference(baseUrl))
    });
}

main().catch((e) => finish(1, { ok: false, error: errorInfo(e) }));
