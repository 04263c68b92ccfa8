"use strict";
// What the Connector's own integration suites (`test/*.test.ts`, tag 6.36.11) stand on, rebuilt
// for node:test around the official `@nmshd/connector-sdk@6.7.0`: two clients of two service
// instances (two identities on one Backbone), the upload request and file exchange helpers,
// result matchers and the query probes. The Rust test that starts the instances passes them in:
//
//   CONNECTOR_URLS     "<url of instance 1>,<url of instance 2>"
//   CONNECTOR_API_KEY  the API key both accept
//   CONNECTOR_API      "v2" (default: the SDK's own /api/v2 paths) or "core/v1" (the v7 paths)

const assert = require("node:assert/strict");
const FormData = require("form-data");
const { DateTime } = require("luxon");
const { ConnectorClient } = require("@nmshd/connector-sdk");
const { FilesEndpoint } = require("@nmshd/connector-sdk/dist/endpoints/FilesEndpoint");
const { TokensEndpoint } = require("@nmshd/connector-sdk/dist/endpoints/TokensEndpoint");

/** Which API generation the suite runs against: "v2" (Connector 6) or "core/v1" (Connector 7). */
const API = process.env.CONNECTOR_API || "v2";
if (!["v2", "core/v1"].includes(API)) throw new Error(`CONNECTOR_API must be v2 or core/v1, not '${API}'`);
const IS_V7 = API === "core/v1";

/**
 * The Files endpoint of SDK 6.7.0 plus what the v7 SDK added and 6.7.0 lacks (`deleteFile`,
 * `regenerateFileOwnershipToken`, `tags` on upload), each answered through the SDK's own
 * `makeResult`, so errors are read exactly as the SDK reads them.
 */
class FilesEndpointWithLifecycle extends FilesEndpoint {
    async uploadOwnFile(request) {
        if (request.tags === undefined) return await super.uploadOwnFile(request);
        // 6.7.0 drops `tags`; the v7 SDK sends one `tags` field per tag, as here.
        const form = new FormData();
        for (const key of ["title", "description", "expiresAt"]) {
            if (request[key] !== undefined) form.append(key, request[key]);
        }
        for (const tag of request.tags) form.append("tags", tag);
        form.append("file", request.file, { filename: request.filename });
        const response = await this.httpClient.post("/api/v2/Files/Own", form, { headers: form.getHeaders() });
        return this.makeResult(response);
    }

    async deleteFile(fileId) {
        return await this.delete(`/api/v2/Files/${fileId}`, undefined, 204);
    }

    async regenerateFileOwnershipToken(fileId) {
        return this.makeResult(await this.httpClient.patch(`/api/v2/Files/${fileId}/RegenerateOwnershipToken`));
    }
}

/** The Tokens endpoint of SDK 6.7.0 plus the v7 SDK's `deleteToken`. */
class TokensEndpointWithDelete extends TokensEndpoint {
    async deleteToken(tokenId) {
        return await this.delete(`/api/v2/Tokens/${tokenId}`, undefined, 204);
    }
}

/** The two clients, in the order of `CONNECTOR_URLS`. */
function connectorClients() {
    const urls = (process.env.CONNECTOR_URLS || "").split(",").filter((url) => url);
    if (urls.length !== 2) throw new Error("CONNECTOR_URLS must name two service instances, comma-separated");
    const apiKey = process.env.CONNECTOR_API_KEY;
    if (!apiKey) throw new Error("CONNECTOR_API_KEY is required");
    return urls.map((baseUrl) => {
        const client = ConnectorClient.create({ baseUrl, apiKey });
        const http = client.files.httpClient;
        // SDK 6.7.0 knows only /api/v2; for the v7 run, every path moves to /api/core/v1.
        if (IS_V7) {
            http.interceptors.request.use((config) => ({ ...config, url: config.url.replace(/^\/api\/v2\//, "/api/core/v1/") }));
        }
        // And a guard that the run really is on the paths it names.
        http.interceptors.response.use((response) => {
            const path = response.request.path;
            if (!path.startsWith(`/api/${API}/`)) throw new Error(`a request went to ${path}, not to /api/${API}`);
            return response;
        });
        client.files = new FilesEndpointWithLifecycle(http);
        client.tokens = new TokensEndpointWithDelete(http);
        client.http = http;
        return client;
    });
}

/** The Connector's `makeUploadRequest`: the 4-byte `test` asset, valid for five minutes. */
function uploadRequest(overrides = {}) {
    return {
        title: "File Title",
        filename: "test.txt",
        file: Buffer.from("test"),
        description: "This is a valid file description",
        expiresAt: DateTime.utc().plus({ minutes: 5 }).toString(),
        ...overrides
    };
}

/** Uploads `uploadRequest(overrides)` as `client`; the FileDTO. */
async function uploadFile(client, overrides) {
    const response = await client.files.uploadOwnFile(uploadRequest(overrides));
    assertSuccess(response);
    return response.result;
}

/** `owner` uploads a File and shares it with a token; `peer` loads it. The peer's FileDTO. */
async function exchangeFile(owner, peer) {
    const file = await uploadFile(owner);
    const token = await owner.files.createTokenForFile(file.id);
    assertSuccess(token);
    const loaded = await peer.files.loadPeerFile({ reference: token.result.reference.truncated });
    assertSuccess(loaded);
    return loaded.result;
}

/** The Connector's `uploadOwnToken`: `{aKey: "aValue"}` for a day, stored (the route's default). */
async function uploadOwnToken(client, forIdentity, passwordProtection) {
    const response = await client.tokens.createOwnToken({
        content: { aKey: "aValue" },
        expiresAt: DateTime.utc().plus({ days: 1 }).toString(),
        forIdentity,
        passwordProtection
    });
    assertSuccess(response);
    return response.result;
}

/** `owner` creates a token (for `forIdentity`, if given); `peer` loads it. The peer's TokenDTO. */
async function exchangeToken(owner, peer, forIdentity) {
    const token = await uploadOwnToken(owner, forIdentity);
    const loaded = await peer.tokens.loadPeerToken({ reference: token.reference.truncated });
    assertSuccess(loaded);
    return loaded.result;
}

/** The address of `client`'s identity. */
async function addressOf(client) {
    const info = await client.account.getIdentityInfo();
    assertSuccess(info);
    return info.result.address;
}

/** `file` as its peer sees it: not own, and without the owner's ownership token. */
function asPeerFile(file) {
    const { ownershipToken: _ownerOnly, ...rest } = file;
    return { ...rest, isOwn: false };
}

// The SDK's response throws when the side it does not hold is read, so messages are built lazily.
function assertSuccess(response) {
    if (!response.isSuccess) assert.fail(`expected a success, got ${JSON.stringify(response.error)}`);
}

/** The SDK's void success: a 204 read as `result === undefined`. */
function assertVoidSuccess(response) {
    assertSuccess(response);
    assert.equal(response.result, undefined);
}

/** As the Connector's `toBeAnError`: message and code match the patterns, the envelope is whole. */
function assertError(response, messagePattern, codePattern) {
    if (!response.isError) assert.fail(`expected an error, got ${JSON.stringify(response.result)}`);
    const { error } = response;
    assert.match(error.message, new RegExp(messagePattern));
    assert.match(error.code, new RegExp(codePattern));
    for (const field of ["id", "time", "docs"]) assert.equal(typeof error[field], "string", `error.${field} is missing`);
}

function assertContains(list, item, why) {
    assert.ok(Array.isArray(list), `expected a list, got ${JSON.stringify(list)}`);
    const found = list.some((entry) => {
        try {
            assert.deepStrictEqual(entry, item);
            return true;
        } catch {
            return false;
        }
    });
    assert.ok(found, `${why}: ${JSON.stringify(item)} is not in ${JSON.stringify(list)}`);
}

/**
 * The Connector's `QueryParamConditions`: for each key, the object's own value must find it, and
 * near misses must not — a date ±24 h (luxon's `toString`, so "Invalid DateTime" for a key that
 * is no date), a number ±1, a string with its last four characters replaced by `XXXX`, a
 * boolean's negation. Every probe must be a success.
 */
class QueryProbes {
    constructor(object) {
        this.object = object;
        this.probes = [];
    }

    dates(...keys) {
        for (const key of keys) {
            const value = this.valueAt(key);
            const date = DateTime.fromISO(value);
            this.add(key, value, true).add(key, date.plus({ hours: 24 }).toString(), false);
            this.add(key, date.minus({ hours: 24 }).toString(), false);
        }
        return this;
    }

    strings(...keys) {
        for (const key of keys) {
            const value = this.valueAt(key);
            this.add(key, value, true).add(key, value.replace(/....$/, "XXXX"), false);
        }
        return this;
    }

    numbers(...keys) {
        for (const key of keys) {
            const value = this.valueAt(key);
            this.add(key, value, true).add(key, String(value + 1), false).add(key, String(value - 1), false);
        }
        return this;
    }

    booleans(...keys) {
        for (const key of keys) this.add(key, this.valueAt(key), true).add(key, !this.valueAt(key), false);
        return this;
    }

    /** The object's value at a dotted `key` (`passwordProtection.password`). */
    valueAt(key) {
        return key.split(".").reduce((value, part) => (value === undefined || value === null ? undefined : value[part]), this.object);
    }

    /** A probe of the Connector's `addSingleCondition`: `key=value` must (not) find the object. */
    single(key, value, matches) {
        return this.add(key, value, matches);
    }

    add(key, value, matches) {
        assert.notEqual(value, undefined, `the object has no '${key}' to probe`);
        this.probes.push({ key, value, matches });
        return this;
    }

    async run(query) {
        for (const { key, value, matches } of this.probes) {
            const response = await query({ [key]: value });
            assertSuccess(response);
            const found = response.result.some((entry) => entry.id === this.object.id);
            if (matches) assertContains(response.result, this.object, `positive probe ${key}=${value}`);
            else assert.ok(!found, `negative probe ${key}=${value} found ${this.object.id}`);
        }
    }
}

module.exports = {
    API,
    IS_V7,
    connectorClients,
    uploadRequest,
    uploadFile,
    exchangeFile,
    asPeerFile,
    uploadOwnToken,
    exchangeToken,
    addressOf,
    assertSuccess,
    assertVoidSuccess,
    assertError,
    assertContains,
    QueryProbes
};
