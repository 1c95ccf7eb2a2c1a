// The failure converter of every client and worker (loaded by path, as Temporal requires, so it is plain
// CommonJS: the SDK, the workflow bundler, tsx and vitest all load it as it is).
// encodeCommonAttributes moves failure messages and stack traces into an encoded payload, which the payload codec
// then encrypts: an error message that quotes customer data (Vobiz's validation messages can) never reaches
// history in plain text.
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
