#!/usr/bin/env node
// First start of the OFFICIAL @nmshd/transport against a Backbone (the real one or our
// simulator): AccountController.init() on an empty in-memory database creates the identity and
// its device exactly as the Connector does on its first start (challenge, identity, login,
// datawallet version upgrade), then TokenController.sendToken creates a token as that identity.
// Prints ONE line of JSON on stdout.
//
//   node transport-onboard.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> [--address-domain <domain>] [--timeout-ms <ms>]
//
// stdout: {"ok":true,"address":"did:e:…","deviceId":"DVC…","tokenId":"TOK…"}
//      or {"ok":false,"error":{"code":…,"message":…}}
// exit:   0 = onboarded and token created, 1 = failure (incl. timeout), 2 = usage error.
// Everything else (library logging, diagnostics) goes to stderr.
"use strict";

// stdout is reserved for the single result line: route any console output of the libraries to stderr.
for (const m of ["log", "info", "warn", "debug", "trace"]) console[m] = (...a) => console.error(...a);

const path = require("path");
const Module = require("module");

const USAGE =
    "usage: node transport-onboard.js --backbone <backboneBaseUrl> --client-id <id> --client-secret <secret> [--address-domain <domain>] [--timeout-ms <ms>]";

let finished = false;
function finish(exitCode, obj) {
    if (finished) return;
    finished = true;
    process.stdout.write(JSON.stringify(obj) + "\n", () => process.exit(exitCode));
}

function errorInfo(e) {
    if (!e || typeof e !== "object") return { code: "error.interop.unexpected", message: String(e) };
    const info = {
        code: typeof e.code === "string" && e.code ? e.code : `error.interop.${e.name || "unexpected"}`,
        message: e.message || String(e)
    };
    if (typeof e.status === "number") info.status = e.status; // RequestError: HTTP status from the Backbone
    if (typeof e.reason === "string" && e.reason) info.reason = e.reason;
    if (e.object && typeof e.object.code === "string") info.cause = e.object.code; // e.g. ECONNREFUSED
    return info;
}

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

// Spec identity-onboarding.md §0 item 3: with two copies of ts-serval, transport cannot read the
// secrets it stores ("Type 'CryptoCipher' … not found within reflection classes"). package.json's
// overrides install one copy; should a future install nest a second one under transport, this
// points every require of it at the top-level copy.
function useOneTsServal() {
    const topLevel = require.resolve("@js-soft/ts-serval");
    const transportDir = path.dirname(require.resolve("@nmshd/transport/package.json"));
    if (require.resolve("@js-soft/ts-serval", { paths: [transportDir] }) === topLevel) return;
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
        return request === "@js-soft/ts-serval" ? topLevel : resolve.call(this, request, ...rest);
    };
}

// The Connector's transport database is MongoDB (LokiJS in debug mode). Neither driver is in this
// harness, so here is a small in-memory one implementing @js-soft/docdb-access-abstractions:
// documents are stored as their JSON (like both drivers) with a Mongo-style `_id`.
function plain(value) {
    const json = value && typeof value.toJSON === "function" ? value.toJSON() : value;
    return json === undefined ? undefined : JSON.parse(JSON.stringify(json));
}

function fieldOf(doc, dotted) {
    return dotted.split(".").reduce((value, key) => (value === undefined || value === null ? undefined : value[key]), doc);
}

function sameJson(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
}

function matchesValue(actual, condition) {
    const isOperatorObject =
        condition && typeof condition === "object" && !Array.isArray(condition) && Object.keys(condition).some((k) => k.startsWith("$"));
    if (!isOperatorObject) return Array.isArray(actual) && !Array.isArray(condition) ? actual.some((a) => sameJson(a, condition)) : sameJson(actual, condition);
    return Object.entries(condition).every(([op, arg]) => {
        switch (op) {
            case "$eq":
                return sameJson(actual, arg);
            case "$ne":
                return !sameJson(actual, arg);
            case "$in":
                return arg.some((a) => sameJson(actual, a));
            case "$nin":
                return !arg.some((a) => sameJson(actual, a));
            case "$exists":
                return (actual !== undefined) === Boolean(arg);
            case "$lt":
                return actual < arg;
            case "$lte":
                return actual <= arg;
            case "$gt":
                return actual > arg;
            case "$gte":
                return actual >= arg;
            case "$regex":
                return typeof actual === "string" && new RegExp(arg).test(actual);
            default:
                throw new Error(`query operator ${op} is not supported by the in-memory database`);
        }
    });
}

function matches(doc, query) {
    if (!query) return true;
    return Object.entries(query).every(([key, condition]) => {
        if (key === "$or") return condition.some((q) => matches(doc, q));
        if (key === "$and") return condition.every((q) => matches(doc, q));
        return matchesValue(fieldOf(doc, key), condition);
    });
}

class MemoryCollection {
    constructor(name) {
        this.name = name;
        this.databaseType = "LokiJs";
        this.docs = [];
        this.nextId = 1;
    }
    async create(object) {
        const doc = { ...plain(object), _id: String(this.nextId++) };
        this.docs.push(doc);
        return plain(doc);
    }
    async read(id) {
        return plain(this.docs.find((d) => d.id === id));
    }
    indexOf(oldDoc) {
        const old = plain(oldDoc) ?? {};
        return this.docs.findIndex((d) => (old._id !== undefined ? d._id === old._id : d.id === old.id));
    }
    async update(oldDoc, data) {
        const index = this.indexOf(oldDoc);
        if (index < 0) throw new Error(`document to update not found in ${this.name}`);
        this.docs[index] = { ...plain(data), _id: this.docs[index]._id };
        return plain(this.docs[index]);
    }
    async patch(oldDoc, data) {
        const index = this.indexOf(oldDoc);
        if (index < 0) throw new Error(`document to patch not found in ${this.name}`);
        this.docs[index] = { ...this.docs[index], ...plain(data), _id: this.docs[index]._id };
        return plain(this.docs[index]);
    }
    async delete(query) {
        let q = plain(query);
        if (q && q.id !== undefined && Object.keys(q).length > 1) q = { id: q.id }; // a whole object: by its id
        const before = this.docs.length;
        this.docs = this.docs.filter((d) => !matches(d, q));
        return this.docs.length < before;
    }
    async list() {
        return this.docs.map(plain);
    }
    async find(query, pagination, sort) {
        let found = this.docs.filter((d) => matches(d, plain(query)));
        if (sort) {
            const direction = sort.sortOrder === "desc" ? -1 : 1;
            found = [...found].sort((a, b) => (fieldOf(a, sort.sortBy) > fieldOf(b, sort.sortBy) ? direction : -direction));
        }
        const skip = pagination?.skip ?? 0;
        const end = pagination?.limit !== undefined ? skip + pagination.limit : undefined;
        return found.slice(skip, end).map(plain);
    }
    async findOne(query) {
        return plain(this.docs.find((d) => matches(d, plain(query))));
    }
    async count(query) {
        return this.docs.filter((d) => matches(d, plain(query))).length;
    }
    async exists(query) {
        return (await this.count(query)) > 0;
    }
}

class MemoryMap {
    constructor(name) {
        this.name = name;
        this.databaseType = "LokiJs";
        this.entries = new Map();
    }
    async set(name, value) {
        this.entries.set(name, plain(value));
    }
    async get(name) {
        return plain(this.entries.get(name));
    }
    async delete(name) {
        return this.entries.delete(name);
    }
    async find(regex) {
        const pattern = new RegExp(regex);
        return [...this.entries].filter(([key]) => pattern.test(key)).map(([, value]) => plain(value));
    }
    async list() {
        return [...this.entries.values()].map(plain);
    }
}

class MemoryDatabase {
    constructor() {
        this.collections = new Map();
        this.maps = new Map();
    }
    async getCollection(name) {
        if (!this.collections.has(name)) this.collections.set(name, new MemoryCollection(name));
        return this.collections.get(name);
    }
    async getMap(name) {
        if (!this.maps.has(name)) this.maps.set(name, new MemoryMap(name));
        return this.maps.get(name);
    }
    async close() {}
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
        finished = true;
        return process.stdout.write(USAGE + "\n", () => process.exit(0));
    }

    // Never hang: a hard deadline for the whole run (library load, libsodium init, HTTP).
    setTimeout(() => {
        finish(1, { ok: false, error: { code: "error.interop.timeout", message: `transport-onboard did not finish within ${args.timeoutMs} ms` } });
    }, args.timeoutMs).unref();

    useOneTsServal();
    const { SimpleLoggerFactory } = require("@js-soft/simple-logger");
    const { JSONWrapper } = require("@js-soft/ts-serval");
    const { EventEmitter2EventBus } = require("@js-soft/ts-utils");
    const { CoreDate } = require("@nmshd/core-types");
    const { AccountController, Transport } = require("@nmshd/transport");

    // What the Runtime passes (supportedIdentityVersion 1, datawallet off as in the Connector),
    // with the DID domain override the Connector's dev setup uses for a non-letter base URL.
    const transport = new Transport(
        {
            baseUrl: args.backbone,
            platformClientId: args.clientId,
            platformClientSecret: args.clientSecret,
            addressGenerationHostnameOverride: args.addressDomain,
            supportedIdentityVersion: 1,
            datawalletEnabled: false,
            platformTimeout: Math.max(50, args.timeoutMs - 1000),
            // no keep-alive: nothing may keep the process alive after the answer
            httpAgentOptions: { keepAlive: false },
            httpsAgentOptions: { keepAlive: false }
        },
        new EventEmitter2EventBus((error) => console.error("event bus error", error)),
        new SimpleLoggerFactory()
    );
    await transport.init();

    const database = new MemoryDatabase();
    let account;
    try {
        account = await new AccountController(transport, database, transport.config).init();
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
