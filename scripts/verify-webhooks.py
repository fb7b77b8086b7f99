"""Verifies webhooks Ersal sent with the Standard Webhooks reference library for Python
(PyPI `standardwebhooks`), not Ersal's own code. Reads JSON on standard input:
{"secret": "whsec_...", "deliveries": [{"id", "timestamp", "signature", "body"}]}.
Each delivery must verify, and the same delivery with its body changed must not (so a
verifier that accepts anything fails here). Prints how many verified."""

import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

given = json.load(sys.stdin)
hook = Webhook(given["secret"])
for delivery in given["deliveries"]:
    headers = {
        "webhook-id": delivery["id"],
        "webhook-timestamp": delivery["timestamp"],
        "webhook-signature": delivery["signature"],
    }
    hook.verify(delivery["body"], headers)
    try:
        hook.verify(delivery["body"] + " ", headers)
    except WebhookVerificationError:
        pass
    else:
        sys.exit(f"a changed body verified: {delivery['id']}")
print(len(given["deliveries"]))
