"use strict";
// What every harness script prints: exactly ONE JSON line on stdout, then exit. Requiring this
// module first also routes every console output of the libraries to stderr, keeping stdout for
// that line.

for (const m of ["log", "info", "warn", "debug", "trace"]) console[m] = (...a) => console.error(...a);

let finished = false;

/** Prints `obj` as the result line and exits with `exitCode`; only the first call counts. */
function finish(exitCode, obj) {
    if (finished) return;
    finished = true;
    process.stdout.write(JSON.stringify(obj) + "\n", () => process.exit(exitCode));
}

/** Prints `usage` (for `--help`) instead of a result line and exits 0. */
function printUsage(usage) {
    finished = true;
    process.stdout.write(usage + "\n", () => process.exit(0));
}

/** An error of the official packages (or any thrown value) as `{code, message, …}`. */
function errorInfo(e) {
    if (!e || typeof e !== "object") return { code: "error.interop.unexpected", message: String(e) };
    const info = {
        code: typeof e.code === "string" && e.code ? e.code : `error.interop.${e.name || "unexpected"}`,
        message: e.message || String(e)
    };
    if (typeof e.status === "number") info.status = e.status; // RequestError: HTTP status from the Backbone
    if (typeof e.reason === "string" && e.reason) info.reason = e.reason;
    if (e.object !== undefined && e.object !== null) {
        if (["error.transport.request.badRequest", "error.transport.request.resultUndefined"].includes(info.code)) {
            // RequestError: the raw body the Backbone sent instead of an error envelope / result
            const raw = typeof e.object === "string" ? e.object : JSON.stringify(e.object);
            info.body = raw.length > 4000 ? raw.slice(0, 4000) + "…" : raw;
        } else if (typeof e.object.code === "string") {
            info.cause = e.object.code; // axios/network error code, e.g. ECONNREFUSED (never the whole axios error)
        }
    }
    return info;
}

module.exports = { finish, printUsage, errorInfo };
