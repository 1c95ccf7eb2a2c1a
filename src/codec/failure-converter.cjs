// The failure converter of every client and worker (loaded by path, as Temporal requires, so it is plain
// CommonJS: the SDK, the workflow bundler, tsx and vitest all load it as it is).
// encodeCommonAttributes moves failure messages and stack traces into an encoded payload, which the payload codec
// then encrypts: an error message that quotes customer data (Vobiz's validation messages can) never reaches
// history in plain text. The Web UI sends that payload (`encodedAttributes`) to the codec server like any other and
// shows the decoded `{message, stack_trace}` inside the event; its event list, though, shows the plain `message`,
// which the SDK sets to "Encoded failure". Here it says instead what failed, by the failure's type (a name from
// src/failures/vocabulary.ts or an error class: never data), and where the message is, so an operator scanning the
// history sees `VobizValidationError` and knows which event to open.
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

const WHERE = 'message encrypted: open the event to read it through the codec server';

function headline(failure) {
  const type = failure.applicationFailureInfo && failure.applicationFailureInfo.type;
  if (type) return `${type} (${WHERE})`;
  if (failure.activityFailureInfo) return `Activity ${failure.activityFailureInfo.activityType || ''} failed: its cause says why`;
  return `Failure (${WHERE})`;
}

class TypedHeadlineFailureConverter extends DefaultFailureConverter {
  errorToFailure(err, payloadConverter, context) {
    const failure = super.errorToFailure(err, payloadConverter, context);
    if (failure.encodedAttributes) failure.message = headline(failure);
    return failure;
  }
}

exports.failureConverter = new TypedHeadlineFailureConverter({ encodeCommonAttributes: true });
