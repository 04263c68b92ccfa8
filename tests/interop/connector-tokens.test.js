"use strict";
// The enmeshed Connector's own `test/tokens.test.ts` (tag 6.36.11; "delete a token" from 7.x),
// case for case, in our words: the official `@nmshd/connector-sdk@6.7.0` against two instances of
// our service with two identities on one Backbone. Run by tests/tests/interop/connector_suites.rs:
//
//   CONNECTOR_URLS=<url1>,<url2> CONNECTOR_API_KEY=<key> [CONNECTOR_API=core/v1] node --test connector-tokens.test.js

const { describe, test } = require("node:test");
const assert = require("node:assert/strict");
const { DateTime } = require("luxon");
const {
    IS_V7,
    connectorClients,
    uploadOwnToken,
    exchangeToken,
    addressOf,
    assertSuccess,
    assertVoidSuccess,
    assertError,
    QueryProbes
} = require("./lib/connector-suite");

const [client1, client2] = connectorClients();

const INVALID_LOCATION_INDICATOR =
    "must be a number from 50 to 99 or one of the following strings: Self, Letter, RegistrationLetter, Email, SMS, Website";

test("send a token", async () => {
    const response = await client1.tokens.createOwnToken({
        content: { aKey: "aValue" },
        expiresAt: DateTime.utc().plus({ days: 1 }).toString()
    });
    assertSuccess(response);
    assert.deepStrictEqual(response.result.content, { aKey: "aValue" });
});

test("load a token", async () => {
    const token = await uploadOwnToken(client1);
    const response = await client2.tokens.loadPeerToken({ reference: token.reference.truncated });
    assertSuccess(response);
    assert.equal(response.result.id, token.id);
    assert.deepStrictEqual(response.result.content, token.content);
});

test("send and receive a personalized token", async () => {
    const address = await addressOf(client2);
    const token = await uploadOwnToken(client1, address);
    assert.equal(token.forIdentity, address);

    const response = await client2.tokens.loadPeerToken({ reference: token.reference.truncated });
    assertSuccess(response);
    assert.equal(response.result.forIdentity, address);
});

/** Both sides of a protected token show the same protection. */
const protections = [
    ["password-protected token", { password: "password" }],
    ["PIN-protected token", { password: "1234", passwordIsPin: true }],
    ["password-protected token with PasswordLocationIndicator that is a string", { password: "password", passwordLocationIndicator: "Email" }],
    ["password-protected token with PasswordLocationIndicator that is a number", { password: "password", passwordLocationIndicator: 99 }]
];
for (const [what, passwordProtection] of protections) {
    test(`send and receive a ${what}`, async () => {
        const token = await uploadOwnToken(client1, undefined, passwordProtection);
        const response = await client2.tokens.loadPeerToken({
            reference: token.reference.truncated,
            password: passwordProtection.password
        });
        assertSuccess(response);
        for (const [side, dto] of [
            ["own", token],
            ["peer", response.result]
        ]) {
            const shown = dto.passwordProtection;
            assert.equal(shown.password, passwordProtection.password, `${side} password`);
            assert.equal(shown.passwordIsPin, passwordProtection.passwordIsPin, `${side} passwordIsPin`);
            assert.equal(shown.passwordLocationIndicator, passwordProtection.passwordLocationIndicator, `${side} location indicator`);
        }
    });
}

for (const [what, passwordLocationIndicator] of [
    ["string", "invalidPasswordLocationIndicator"],
    ["number", 1000]
]) {
    test(`cannot set an invalid ${what} as PasswordLocationIndicator`, async () => {
        const response = await client1.tokens.createOwnToken({
            content: { aKey: "aValue" },
            expiresAt: DateTime.utc().plus({ days: 1 }).toString(),
            passwordProtection: { password: "password", passwordLocationIndicator }
        });
        assert.equal(response.isSuccess, false);
        assert.equal(response.error.message, INVALID_LOCATION_INDICATOR);
    });
}

if (IS_V7) {
    test("delete a token", async () => {
        const token = await uploadOwnToken(client1);
        assertSuccess(await client1.tokens.getToken(token.id));
        assertVoidSuccess(await client1.tokens.deleteToken(token.id));
        assertError(
            await client1.tokens.getToken(token.id),
            "Token not found. Make sure the ID exists and the record is not expired.",
            "error.runtime.recordNotFound"
        );
    });
}

describe("Tokens query", () => {
    test("query own tokens", async () => {
        const token = await uploadOwnToken(client1, await addressOf(client1), { password: "password", passwordLocationIndicator: 50 });
        await new QueryProbes(token)
            .dates("expiresAt", "createdAt")
            .strings("createdByDevice", "forIdentity")
            .single("passwordProtection", "", true)
            .single("passwordProtection", "!", false)
            .strings("passwordProtection.password")
            .single("passwordProtection.passwordIsPin", "true", false)
            .single("passwordProtection.passwordIsPin", "!", true)
            .single("passwordProtection.passwordLocationIndicator", "50", true)
            .single("passwordProtection.passwordLocationIndicator", "Self", false)
            .run((query) => client1.tokens.getOwnTokens(query));
    });

    test("query own PIN-protected tokens", async () => {
        const token = await uploadOwnToken(client1, await addressOf(client1), {
            password: "1234",
            passwordIsPin: true,
            passwordLocationIndicator: "Email"
        });
        await new QueryProbes(token)
            .strings("passwordProtection.password")
            .single("passwordProtection.passwordIsPin", "true", true)
            .single("passwordProtection.passwordIsPin", "!", false)
            .single("passwordProtection.passwordLocationIndicator", "Email", true)
            .single("passwordProtection.passwordLocationIndicator", "SMS", false)
            .run((query) => client1.tokens.getOwnTokens(query));
    });

    test("query peer tokens", async () => {
        const token = await exchangeToken(client1, client2, await addressOf(client2));
        await new QueryProbes(token)
            .dates("expiresAt", "createdAt")
            .strings("createdBy", "forIdentity")
            .single("passwordProtection", "", false)
            .single("passwordProtection", "!", true)
            .run((query) => client2.tokens.getPeerTokens(query));
    });
});
