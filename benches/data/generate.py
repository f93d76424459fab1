"""Writes the benchmark inputs that are not shipped examples, deterministically:

    python3 benches/data/generate.py      (needs PyYAML for spec-get.json)

- spec-get.json: the `GET /payment-intents/{paymentIntentId}` 200 example of
  Dojo's 2025-09-10 spec (tests/data/dojo-openapi/), as tests/spec_examples.rs
  and fuzz/spec_seeds.py read it: a captured Auto intent, no captures.
- twenty-captures.json: docs/examples/manual-authorized.json with 20 captures
  of 40 pence instead of its two, the first 19 Successful and the last one
  Created (in flight), 10 minutes apart: a Manual intent captured in many parts.

Running it again gives the same bytes; benches/decode.rs embeds both files.
"""
import copy
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def write(name, value):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def spec_get():
    import yaml

    path = os.path.join(ROOT, "tests", "data", "dojo-openapi", "2025-09-10.yaml")
    with open(path, "rb") as f:
        spec = yaml.safe_load(f.read().decode("utf-8"))
    response = spec["paths"]["/payment-intents/{paymentIntentId}"]["get"]["responses"]["200"]
    return response["content"]["application/json"]["example"]


# Dojo's ids are a prefix and 22 characters of base62.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def dojo_id(prefix, seed):
    n = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(22):
        n, r = divmod(n, 62)
        chars.append(ALPHABET[r])
    return prefix + "".join(chars)


def twenty_captures():
    with open(os.path.join(ROOT, "docs", "examples", "manual-authorized.json"), encoding="utf-8") as f:
        intent = json.load(f)
    intent = copy.deepcopy(intent)
    intent["id"] = dojo_id("pi_sandbox_", "twenty-captures")
    intent["status"] = "Captured"
    intent["updatedAt"] = "2024-07-25T13:10:00.000Z"
    intent["paymentLink"] = "https://pay.dojo.tech:443/checkout/" + intent["id"]
    captures = []
    for i in range(20):
        minutes = 10 * i
        captures.append(
            {
                "id": dojo_id("cp_sandbox_", f"twenty-captures-{i}"),
                "amount": 40,
                "tipsAmount": 0,
                "status": "Successful" if i < 19 else "Created",
                "createdAt": f"2024-07-25T{9 + minutes // 60:02d}:{minutes % 60:02d}:00.000Z",
            }
        )
    intent["captures"] = captures
    return intent


write("twenty-captures.json", twenty_captures())
write("spec-get.json", spec_get())
