"use strict";
// The enmeshed Connector's own `test/files.test.ts` (tag 6.36.11), case for case, in our words:
// the official `@nmshd/connector-sdk@6.7.0` against two instances of our service with two
// identities on one Backbone. Run by tests/tests/interop/connector_suites.rs:
//
//   CONNECTOR_URLS=<url1>,<url2> CONNECTOR_API_KEY=<key> [CONNECTOR_API=core/v1] node --test connector-files.test.js
//
// Where the v7 suite (Connector 7.0.0) differs, `IS_V7` says so: tags need an `x:` prefix there.

const { describe, test, before } = require("node:test");
const assert = require("node:assert/strict");
const { DateTime } = require("luxon");
const {
    IS_V7,
    connectorClients,
    uploadRequest,
    uploadFile,
    exchangeFile,
    asPeerFile,
    assertSuccess,
    assertVoidSuccess,
    assertError,
    assertContains,
    QueryProbes
} = require("./lib/connector-suite");

const [client1, client2] = connectorClients();

const FILE_NOT_FOUND = "File not found. Make sure the ID exists and the record is not expired.";
const RECORD_NOT_FOUND = "error.runtime.recordNotFound";
const INVALID_PROPERTY = "error.runtime.validation.invalidPropertyValue";
const INVALID_REFERENCE = "token / file reference invalid";

describe("File Upload", () => {
    let file;

    test("can upload file", async () => {
        const response = await client1.files.uploadOwnFile(uploadRequest());
        assertSuccess(response);
        file = response.result;
    });

    test("can upload file with umlaut in title and filename", async () => {
        const uploaded = await uploadFile(client1, { title: "ÄÖÜ", filename: "ÄÖÜ.txt" });
        assert.equal(uploaded.title, "ÄÖÜ");
        assert.equal(uploaded.filename, "ÄÖÜ.txt");
    });

    test("can upload file with space in title and filename", async () => {
        const uploaded = await uploadFile(client1, { title: "a file", filename: "a file.txt" });
        assert.equal(uploaded.title, "a file");
        assert.equal(uploaded.filename, "a file.txt");
    });

    test("can upload file without description", async () => {
        const response = await client1.files.uploadOwnFile({
            title: "File Title",
            filename: "test.txt",
            file: Buffer.from([116, 101, 115, 116]),
            expiresAt: DateTime.utc().plus({ minutes: 5 }).toString()
        });
        assertSuccess(response);
        assert.equal(response.result.description, undefined);
    });

    test("uploaded files can be accessed under /Files", async () => {
        const response = await client1.files.getFiles({ createdAt: file.createdAt });
        assertSuccess(response);
        assertContains(response.result, file, "GET /Files?createdAt");
    });

    test("uploaded files can be accessed under /Files/Own", async () => {
        const response = await client1.files.getOwnFiles({ createdAt: file.createdAt });
        assertSuccess(response);
        assertContains(response.result, file, "GET /Files/Own?createdAt");
    });

    test("uploaded files can be accessed under /Files/{id}", async () => {
        assertSuccess(await client1.files.getFile(file.id));
    });

    test("uploaded files keep their size", async () => {
        const response = await client1.files.downloadFile(file.id);
        assertSuccess(response);
        assert.equal(response.result.byteLength, 4);
        assert.equal(Buffer.from(response.result).toString(), "test");
    });

    test("can upload an empty file", async () => {
        const uploaded = await uploadFile(client1, { file: Buffer.of() });
        assert.equal(uploaded.filesize, 0);
        const download = await client1.files.downloadFile(uploaded.id);
        assertSuccess(download);
        assert.equal(download.result.byteLength, 0);
    });

    test("cannot upload a file that is null", async () => {
        // The SDK's upload cannot send a null file, so this goes around it as JSON, as the
        // Connector's test does, and reads the answer with the SDK's own result logic.
        const raw = await client1.http.post("/api/v2/Files/Own", uploadRequest({ file: null }));
        assertError(client1.files.makeResult(raw), "must have required property 'content'", INVALID_PROPERTY);
    });

    test("can upload same file twice", async () => {
        const request = uploadRequest();
        const first = await client1.files.uploadOwnFile(request);
        const second = await client1.files.uploadOwnFile(request);
        assertSuccess(first);
        assertSuccess(second);
        assert.notEqual(first.result.id, second.result.id);
    });

    test("file description is optional", async () => {
        assertSuccess(await client1.files.uploadOwnFile(uploadRequest({ description: "" })));
    });

    test("can upload file with tags", async () => {
        const tags = IS_V7 ? ["x:tag1", "x:tag2"] : ["tag1", "tag2"];
        const uploaded = await uploadFile(client1, { tags });
        assert.deepStrictEqual(uploaded.tags, tags);
    });

    test("cannot upload a file with expiry date in the past", async () => {
        const response = await client1.files.uploadOwnFile(uploadRequest({ expiresAt: "1970-01-01T00:00:00.000Z" }));
        assertError(response, "'expiresAt' must be in the future", INVALID_PROPERTY);
    });

    test("cannot upload a file with empty expiry date", async () => {
        const response = await client1.files.uploadOwnFile(uploadRequest({ expiresAt: "" }));
        assertError(response, "expiresAt must match ISO8601 datetime format", INVALID_PROPERTY);
    });
});

describe("Get file", () => {
    test("can get file by id", async () => {
        const file = await uploadFile(client1);
        const response = await client1.files.getFile(file.id);
        assertSuccess(response);
        assert.deepStrictEqual(response.result, file);
    });

    test("accessing not existing file id causes an error", async () => {
        assertError(await client1.files.getFile("FILXXXXXXXXXXXXXXXXX"), FILE_NOT_FOUND, RECORD_NOT_FOUND);
    });
});

describe("Files query", () => {
    const probesOf = (file) =>
        new QueryProbes(file)
            .dates("createdAt", "createdBy", "createdByDevice", "expiresAt")
            .strings("description", "filename", "mimetype", "title")
            .numbers("filesize");

    test("files can be queried by their attributes", async () => {
        const file = await uploadFile(client1);
        await probesOf(file)
            .booleans("isOwn")
            .run((query) => client1.files.getFiles(query));
    });

    test("own files can be queried by their attributes", async () => {
        const file = await uploadFile(client1);
        await probesOf(file).run((query) => client1.files.getOwnFiles(query));
    });

    test("peer files can be queried by their attributes", async () => {
        const file = await exchangeFile(client1, client2);
        await probesOf(file).run((query) => client2.files.getPeerFiles(query));
    });
});

/** The four cases both ways of loading a peer's File share, `reference` chosen per File. */
function loadsAsPeer(referenceOf) {
    let file;

    before(async () => {
        file = await uploadFile(client1);
    });

    test("before the peer file is loaded another client cannot access it", async () => {
        assertError(await client2.files.getFile(file.id), FILE_NOT_FOUND, RECORD_NOT_FOUND);
    });

    test("peer file can be loaded", async () => {
        const response = await client2.files.loadPeerFile({ reference: await referenceOf(file) });
        assertSuccess(response);
        assert.deepStrictEqual(response.result, asPeerFile(file));
    });

    test("after peer file is loaded the file can be accessed under /Files/{id}", async () => {
        const response = await client2.files.getFile(file.id);
        assertSuccess(response);
        assert.deepStrictEqual(response.result, asPeerFile(file));
    });

    test("after peer file is loaded it can be accessed under /Files", async () => {
        const response = await client2.files.getFiles({ createdAt: file.createdAt });
        assertSuccess(response);
        assertContains(response.result, asPeerFile(file), "client2 GET /Files?createdAt");
    });

    return () => file;
}

describe("Load peer file with token reference", () => {
    const sharedFile = loadsAsPeer(async (file) => {
        // No body at all: the SDK sends an empty form-urlencoded request.
        const token = await client1.files.createTokenForFile(file.id);
        assertSuccess(token);
        return token.result.reference.truncated;
    });

    test("token can be personalized", async () => {
        const address = (await client2.account.getIdentityInfo()).result.address;
        const token = await client1.files.createTokenForFile(sharedFile().id, { forIdentity: address });
        assertSuccess(token);
        assert.equal(token.result.forIdentity, address);
        assertSuccess(await client2.files.loadPeerFile({ reference: token.result.reference.truncated }));
    });

    test("passing token id as truncated token reference causes an error", async () => {
        const file = await uploadFile(client1);
        const token = await client1.files.createTokenForFile(file.id);
        assertSuccess(token);
        const response = await client2.files.loadPeerFile({ reference: token.result.id });
        assertError(response, INVALID_REFERENCE, INVALID_PROPERTY);
    });

    test("passing file id as truncated token reference causes an error", async () => {
        const file = await uploadFile(client1);
        assertError(await client2.files.loadPeerFile({ reference: file.id }), INVALID_REFERENCE, INVALID_PROPERTY);
    });

    for (const reference of [null, ""]) {
        test(`passing ${JSON.stringify(reference)} as truncated token reference causes an error`, async () => {
            assertError(await client2.files.loadPeerFile({ reference }), INVALID_REFERENCE, INVALID_PROPERTY);
        });
    }

    test("passing undefined as truncated token reference causes an error", async () => {
        assertError(await client2.files.loadPeerFile({ reference: undefined }), INVALID_REFERENCE, INVALID_PROPERTY);
    });
});

describe("Load peer file with reference", () => {
    loadsAsPeer(async (file) => file.reference.truncated);
});

describe("Password-protected tokens for files", () => {
    const protections = [
        ["password", { password: "password" }],
        ["PIN", { password: "1234", passwordIsPin: true }],
        ["PIN with a PasswordLocationIndicator that is a string", { password: "1234", passwordIsPin: true, passwordLocationIndicator: "Self" }],
        ["PIN with a PasswordLocationIndicator that is a number", { password: "1234", passwordIsPin: true, passwordLocationIndicator: 51 }]
    ];
    for (const [what, passwordProtection] of protections) {
        test(`send and receive an unprotected file via a token protected by ${what}`, async () => {
            const file = await uploadFile(client1);
            const token = await client1.files.createTokenForFile(file.id, { passwordProtection });
            assertSuccess(token);
            const echoed = token.result.passwordProtection;
            assert.equal(echoed.password, passwordProtection.password);
            assert.equal(echoed.passwordIsPin, passwordProtection.passwordIsPin);
            assert.equal(echoed.passwordLocationIndicator, passwordProtection.passwordLocationIndicator);

            const loaded = await client2.files.loadPeerFile({
                reference: token.result.reference.truncated,
                password: passwordProtection.password
            });
            assertSuccess(loaded);
            assert.equal(loaded.result.id, file.id);
        });
    }
});

describe("Delete file", () => {
    test("delete a file", async () => {
        const file = await uploadFile(client1);
        assertSuccess(await client1.files.getFile(file.id));
        assertVoidSuccess(await client1.files.deleteFile(file.id));
        assertError(await client1.files.getFile(file.id), FILE_NOT_FOUND, RECORD_NOT_FOUND);
    });
});

describe("File ownership", () => {
    test("ownership token is returned when uploading a file", async () => {
        const file = await uploadFile(client1);
        assert.equal(typeof file.ownershipToken, "string");
    });

    test("ownership token can be regenerated", async () => {
        const file = await uploadFile(client1);
        const response = await client1.files.regenerateFileOwnershipToken(file.id);
        assertSuccess(response);
        assert.equal(typeof response.result.ownershipToken, "string");
        assert.notEqual(response.result.ownershipToken, file.ownershipToken);
    });
});
