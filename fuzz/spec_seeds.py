"""Extracts the payment-intent examples of Dojo's OpenAPI specs (the copies
vendored in tests/data/dojo-openapi/) into the
wire_rehydrate seed corpus: `python3 fuzz/spec_seeds.py fuzz/corpus/wire_rehydrate`
(needs PyYAML). Picks the same bodies as tests/spec_examples.rs: every
`example` and `examples.*.value` of a response whose schema is PaymentIntent,
and each `data[]` item of PagedPaymentIntent ones. 2024-02-05.yaml is
Windows-1252, the others UTF-8.
"""
import os
import json
import re
import sys

import yaml

out = sys.argv[1]
SPECS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data', 'dojo-openapi')
METHODS = ["get","put","post","delete","options","head","patch","trace"]
PI = "#/components/schemas/PaymentIntent"; PAGED = "#/components/schemas/PagedPaymentIntent"
count = 0
for name in ["2022-04-07", "2024-02-05", "2025-09-10"]:
    raw = open(os.path.join(SPECS, f"{name}.yaml"), "rb").read()
    text = raw.decode("cp1252") if name == "2024-02-05" else raw.decode("utf-8")
    spec = yaml.safe_load(text)
    for path, item in spec["paths"].items():
        for m in METHODS:
            op = item.get(m)
            if not isinstance(op, dict): continue
            for code, resp in (op.get("responses") or {}).items():
                content = ((resp or {}).get("content") or {}).get("application/json") or {}
                ref = (content.get("schema") or {}).get("$ref")
                if ref not in (PI, PAGED): continue
                bodies = []
                if "example" in content: bodies.append(("example", content["example"]))
                for ename, ex in (content.get("examples") or {}).items():
                    bodies.append((ename, ex["value"]))
                for ename, body in bodies:
                    items = [("", body)]
                    if ref == PAGED:
                        items = [(f"-item{i}", b) for i, b in enumerate(body.get("data", []))]
                    for suffix, b in items:
                        slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{m} {path} {code} {ename}").strip("-").lower()
                        slug = slug.replace("payment-intents-paymentintentid", "pi")
                        fn = f"spec-{name}-{slug}{suffix}.json"
                        with open(os.path.join(out, fn), "w") as f:
                            json.dump(b, f, indent=2, ensure_ascii=False); f.write("\n")
                        count += 1
print(count)
