#!/usr/bin/env node
// Calls our Connector's "Create Token for File" route through the OFFICIAL
// @nmshd/connector-sdk@6.7.0 client and prints ONE line of JSON on stdout.
//
//   node sdk-create-token.js --base-url <connectorUrl> --api-key <key> --file-id <FIL…> [--request '<json>'] [--qr] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"result":<TokenDTO as the SDK returns it>}
//         {"ok":true,"pngBytes":N,"pngSignatureOk":bool}                (with --qr)
//      or {"ok":false,"error":<the SDK's ConnectorError object>}        (route answered with an error envelope)
//      or {"ok":false,"error":{"code":"error.interop.…","message":…}}   (the SDK threw: unreachable, no envelope, timeout)
// exit:   0 = ok, 1 = failure, 2 = usage error. Diagnostics go to stderr.
"use strict";

// First: it routes the libraries' console output to stderr, keeping stdout for the result line.
const { finish, printUsage } = require("./lib/output");

const USAGE =
    "usage: node sdk-create-token.js --base-url <connectorUrl> --api-key <key> --file-id <FIL…> [--request '<json object>'] [--qr] [--timeout-ms <ms>]";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function parseArgs(argv) {
    const valued = new Set(["base-url", "api-key", "file-id", "request", "timeout-ms"]);
    const out = { qr: false };
    const seen = new Set();
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "-h" || a === "--help") return { help: true };
        if (a === "--qr") {
            out.qr = true;
            continue;
        }
        const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
        if (!m || !valued.has(m[1])) throw new Error(`unknown argument '${a}'`);
        let v = m[2];
        if (v === undefined) {
            if (i + 1 >= argv.length) throw new Error(`--${m[1]} needs a value`);
            v = argv[++i];
        }
        if (seen.has(m[1])) throw new Error(`--${m[1]} given twice`);
        seen.add(m[1]);
        out[m[1]] = v;
    }
    if (!out["base-url"]) throw new Error("--base-url is required");
    if (!/^https?:\/\/[^/]/.test(out["base-url"])) throw new Error("--base-url must be an http(s) URL");
    if (out["api-key"] === undefined) throw new Error("--api-key is required");
    // The file id is passed through unchecked on purpose: malformed ids are a server-side validation test.
    if (out["file-id"] === undefined) throw new Error("--file-id is required");
    let request;
    if (out.request !== undefined) {
        try {
            request = JSON.parse(out.request);
        } catch (e) {
            throw new Error(`--request is not valid JSON: ${e.message}`);
        }
    }
    let timeoutMs = 30000;
    if (out["timeout-ms"] !== undefined) {
        timeoutMs = Number(out["timeout-ms"]);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error("--timeout-ms must be an integer >= 100");
    }
    return { baseUrl: out["base-url"], apiKey: out["api-key"], fileId: out["file-id"], request, qr: out.qr, timeoutMs };
}

function thrownError(e) {
    const info = { code: "error.interop.sdkThrew", message: (e && e.message) || String(e) };
    if (e && typeof e.code === "string") info.cause = e.code; // e.g. ECONNREFUSED from axios
    if (e && e.response && typeof e.response.status === "number") info.status = e.response.status;
    // "The http request to connector route '…' failed with status '401': Unauthorized <body>"
    const m = /failed with status '(\d+)': .*?(\{.*\})?$/s.exec(info.message);
    if (m) {
        info.status = Number(m[1]);
        if (m[2]) {
            try {
                const body = JSON.parse(m[2]);
                if (body && typeof body === "object" && body.error) info.envelope = body.error; // --qr errors land here
            } catch (_) {
                // not JSON: the message already carries the raw body
            }
        }
    }
    return info;
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

    setTimeout(() => {
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `sdk-create-token did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    const http = require("http");
    const https = require("https");
    const { ConnectorClient } = require("@nmshd/connector-sdk");
    const client = ConnectorClient.create({
        baseUrl: args.baseUrl,
        apiKey: args.apiKey,
        // no keep-alive: nothing may keep the process alive after the answer
        httpAgent: new http.Agent({ keepAlive: false }),
        httpsAgent: new https.Agent({ keepAlive: false })
    });

    let response;
    try {
        response = args.qr
            ? await client.files.createTokenQrCodeForFile(args.fileId, args.request)
            : await client.files.createTokenForFile(args.fileId, args.request);
    } catch (e) {
        // The SDK throws when the route is unreachable or answers a non-success status without an
        // {"error": …} envelope (for --qr: any error, because it reads the body as a Buffer).
        return finish(1, { ok: false, error: thrownError(e) });
    }

    if (response.isError) return finish(1, { ok: false, error: response.error });

    if (args.qr) {
        const data = response.result;
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data ?? []);
        return finish(0, {
            ok: true,
            pngBytes: buf.length,
            pngSignatureOk: buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)
        });
    }
    finish(0, { ok: true, result: response.result });
}

main().catch((e) => finish(1, { ok: false, error: thrownError(e) }));
