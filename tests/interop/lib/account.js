// The shared first-start setup of the interop scripts that act as a full identity
// (transport-onboard.js, transport-load-file.js, transport-upload-file.js): the OFFICIAL
// @nmshd/transport's `Transport` configured as the Runtime configures it in the Connector, an
// in-memory database, and `AccountController.init()`, which on that empty database onboards a
// new identity and device on the Backbone (challenge, `POST /api/v2/Identities`, login, datawallet version upgrade).
// Nothing here prints to stdout; the scripts own their single result line.
"use strict";

const path = require("path");
const Module = require("module");

// Spec identity-onboarding.md §0 item 3: with two copies of ts-serval, transport cannot read the
// secrets it stores ("Type 'CryptoCipher' … not found within reflection classes"). package.json's
// overrides install one copy; should a future install nest a second one under transport, this
// points every require of it at the top-level copy.
let oneTsServal = false;
function useOneTsServal() {
    if (oneTsServal) return;
    oneTsServal = true;
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

// The `Transport` the Runtime builds for the Connector (supportedIdentityVersion 1, datawallet
// off as in the Connector), with the DID domain override the Connector's dev setup uses for a
// non-letter base URL, and `transport.init()` done (libsodium, logger).
//   options: {backbone, clientId, clientSecret, addressDomain, timeoutMs}
async function createTransport(options) {
    useOneTsServal();
    const { SimpleLoggerFactory } = require("@js-soft/simple-logger");
    const { EventEmitter2EventBus } = require("@js-soft/ts-utils");
    const { Transport } = require("@nmshd/transport");

    const transport = new Transport(
        {
            baseUrl: options.backbone,
            platformClientId: options.clientId,
            platformClientSecret: options.clientSecret,
            addressGenerationHostnameOverride: options.addressDomain,
            supportedIdentityVersion: 1,
            datawalletEnabled: false,
            platformTimeout: Math.max(50, options.timeoutMs - 1000),
            // no keep-alive: nothing may keep the process alive after the answer
            httpAgentOptions: { keepAlive: false },
            httpsAgentOptions: { keepAlive: false }
        },
        new EventEmitter2EventBus((error) => console.error("event bus error", error)),
        new SimpleLoggerFactory()
    );
    await transport.init();
    return transport;
}

// `AccountController.init()` on a fresh in-memory database: onboards a new identity on the
// Backbone and returns the initialized account (its `tokens`, `files`, … controllers ready).
async function initAccount(transport) {
    const { AccountController } = require("@nmshd/transport");
    return await new AccountController(transport, new MemoryDatabase(), transport.config).init();
}

module.exports = { useOneTsServal, MemoryDatabase, createTransport, initAccount };
