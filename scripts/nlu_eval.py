"""Evaluate a trained Rasa model on the held-out NLU set (run with .venv-rasa/bin/python).

Prints intent accuracy, macro-F1, FAQ sub-intent accuracy, entity F1 (exact spans, per entity),
the most frequent confusion pairs, a fallback-threshold table and p50/p95 parse latency.
Exits 1 when intent accuracy is below the floor (a regression guard; the aim is higher).

    .venv-rasa/bin/python scripts/nlu_eval.py --model models/nlu-XXXX.tar.gz [--floor 0.85] [--json out.json]
        [--heldout tests/nlu/heldout_fresh.yml]   # "# kind: NAME" comment blocks are reported apart
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the custom components live in nlu/

FALLBACK = "nlu_fallback"


def _f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def load_heldout(path: Path) -> list[dict]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    rows = []
    for message in data.intent_examples:
        rows.append({
            "text": message.get("text"),
            "intent": message.get("intent"),
            "response_key": message.get("intent_response_key"),  # "faq/dates" or None
            "entities": [
                {"entity": e["entity"], "start": e["start"], "end": e["end"], "value": e.get("value")}
                for e in message.get("entities") or []
            ],
        })
    return rows


def load_kinds(path: Path) -> dict[str, str]:
    """Example text -> kind, from "# kind: NAME" comment lines of the held-out file ("# kind: -" ends
    a block). Lets a held-out batch report its weak kinds (wish-phrased searches...) apart."""
    import re

    kinds, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        marker = re.match(r"^\s*#\s*kind:\s*(\S+)", line)
        if marker:
            current = None if marker.group(1) == "-" else marker.group(1)
            continue
        example = re.match(r"^\s+- (.+)$", line)
        if current and example and not line.lstrip().startswith("- intent:"):
            text = re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", example.group(1))
            kinds[text.strip()] = current
    return kinds


async def parse_all(model: Path, rows: list[dict]) -> tuple[list[dict], list[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    await agent.parse_message("bonjour")  # warm-up (graph, TF functions)
    results, latencies = [], []
    for row in rows:
        start = time.perf_counter()
        parsed = await agent.parse_message(row["text"])
        latencies.append((time.perf_counter() - start) * 1000)
        results.append(parsed)
    return results, latencies


def diet_top(parsed: dict) -> tuple[str, float]:
    """The classifier's own best intent (what it would be without the fallback) and its confidence."""
    for candidate in parsed.get("intent_ranking") or []:
        if candidate["name"] != FALLBACK:
            return candidate["name"], candidate["confidence"]
    return parsed["intent"]["name"], parsed["intent"].get("confidence", 0.0)


def configured_threshold(model: Path) -> str:
    """The FallbackClassifier threshold of config.yml (what the model was trained with, normally)."""
    import re

    config = (ROOT / "config.yml").read_text(encoding="utf-8")
    match = re.search(r"name: FallbackClassifier\s+threshold: ([0-9.]+)", config)
    return match.group(1) if match else "?"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument("--floor", type=float, default=0.85)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--show-errors", action="store_true", help="list every misclassified message")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog  # Rasa logs every parse through structlog at debug level
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    rows = load_heldout(args.heldout)
    results, latencies = asyncio.run(parse_all(args.model, rows))

    # --- intents ------------------------------------------------------------------------------
    gold = [r["intent"] for r in rows]
    predicted = [p["intent"]["name"] for p in results]
    correct = sum(g == p for g, p in zip(gold, predicted))
    accuracy = correct / len(rows)
    labels = sorted(set(gold))
    per_intent = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        per_intent[label] = {"f1": _f1(tp, fp, fn), "support": tp + fn}
    macro_f1 = statistics.mean(v["f1"] for v in per_intent.values())
    confusions = Counter((g, p) for g, p in zip(gold, predicted) if g != p)

    # --- FAQ sub-intents (ResponseSelector) -----------------------------------------------------
    faq_total = faq_ok = 0
    for row, parsed in zip(rows, results):
        if not row["response_key"]:
            continue
        faq_total += 1
        selector = (parsed.get("response_selector") or {}).get("faq") or {}
        key = (selector.get("response") or {}).get("intent_response_key")
        faq_ok += key == row["response_key"]

    # --- entities: exact span and type ------------------------------------------------------------
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    value_ok = value_total = 0
    entity_errors = []
    for row, parsed in zip(rows, results):
        gold_spans = {(e["entity"], e["start"], e["end"]): e for e in row["entities"]}
        pred_spans = {(e["entity"], e["start"], e["end"]): e for e in parsed.get("entities") or []
                      if e.get("extractor") != "RegexMessageHandler"}
        for key, entity in gold_spans.items():
            if key in pred_spans:
                counts[key[0]][0] += 1
                if entity.get("value") is not None and entity["value"] != row["text"][key[1]:key[2]]:
                    value_total += 1
                    value_ok += str(pred_spans[key].get("value")) == str(entity["value"])
            else:
                counts[key[0]][2] += 1
        for key in pred_spans:
            if key not in gold_spans:
                counts[key[0]][1] += 1
        if set(gold_spans) != set(pred_spans):
            entity_errors.append((row["text"], sorted(f"{k[0]}:{row['text'][k[1]:k[2]]}" for k in gold_spans),
                                  sorted(f"{k[0]}:{row['text'][k[1]:k[2]]}" for k in pred_spans)))
    tp = sum(c[0] for c in counts.values())
    fp = sum(c[1] for c in counts.values())
    fn = sum(c[2] for c in counts.values())
    entity_f1 = _f1(tp, fp, fn)

    # --- per kind ("# kind:" blocks of the held-out file) -----------------------------------------
    text_kinds = load_kinds(args.heldout)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # right, n, tp, fp, fn
    for row, parsed in zip(rows, results):
        kind = text_kinds.get(row["text"].strip())
        if kind is None:
            continue
        k = by_kind[kind]
        k[0] += row["intent"] == parsed["intent"]["name"]
        k[1] += 1
        gold_spans = {(e["entity"], e["start"], e["end"]) for e in row["entities"]}
        pred_spans = {(e["entity"], e["start"], e["end"]) for e in parsed.get("entities") or []
                      if e.get("extractor") != "RegexMessageHandler"}
        k[2] += len(gold_spans & pred_spans)
        k[3] += len(pred_spans - gold_spans)
        k[4] += len(gold_spans - pred_spans)

    # --- fallback threshold table (what the FallbackClassifier would do at other thresholds) -------
    tops = [diet_top(p) for p in results]
    thresholds = {}
    for threshold in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        right = sum(t[0] == g and t[1] >= threshold for t, g in zip(tops, gold))
        fallback = sum(t[1] < threshold for t in tops)
        wrong = len(rows) - right - fallback
        thresholds[threshold] = {"accuracy": right / len(rows), "fallback": fallback / len(rows),
                                 "confidently_wrong": wrong / len(rows)}

    p50 = statistics.median(latencies)
    p95 = sorted(latencies)[max(0, int(round(0.95 * len(latencies))) - 1)]

    # --- report -------------------------------------------------------------------------------
    print(f"\nHeld-out NLU evaluation: {args.heldout.relative_to(ROOT) if args.heldout.is_relative_to(ROOT) else args.heldout}"
          f" ({len(rows)} messages, {len(labels)} intents), model {args.model.name}")
    print(f"  intent accuracy      {accuracy:.3f}  ({correct}/{len(rows)}; aim 0.92, floor {args.floor})")
    print(f"  intent macro-F1      {macro_f1:.3f}")
    if faq_total:
        print(f"  faq sub-intent acc.  {faq_ok / faq_total:.3f}  ({faq_ok}/{faq_total}, ResponseSelector)")
    print(f"  entity F1 (exact)    {entity_f1:.3f}  (tp {tp}, fp {fp}, fn {fn}; aim 0.85)")
    if value_total:
        print(f"  synonym values       {value_ok}/{value_total} normalised values right on found spans")
    for name in sorted(counts):
        c = counts[name]
        print(f"    {name:<10} F1 {_f1(*c):.3f}  (tp {c[0]}, fp {c[1]}, fn {c[2]})")
    print(f"  parse latency        p50 {p50:.1f} ms, p95 {p95:.1f} ms (one message at a time, this machine)")
    if by_kind:
        print("  by kind (intent right / messages; entity tp, fp, fn):")
        for kind, k in sorted(by_kind.items()):
            print(f"    {kind:<16} {k[0]:>3}/{k[1]:<3} intent {k[0] / k[1]:.2f}; entities tp {k[2]}, fp {k[3]}, fn {k[4]}")
    weakest = sorted(per_intent.items(), key=lambda kv: kv[1]["f1"])[:6]
    print("  weakest intents      " + ", ".join(f"{k} {v['f1']:.2f}" for k, v in weakest))
    print("  confusion pairs (gold -> predicted, count):")
    for (g, p), n in confusions.most_common(15):
        print(f"    {g} -> {p}: {n}")
    if not confusions:
        print("    none")
    print("  fallback threshold (on the classifier's top intent): accuracy / sent to fallback / confidently wrong")
    for threshold, v in thresholds.items():
        print(f"    {threshold:.1f}: {v['accuracy']:.3f} / {v['fallback']:.3f} / {v['confidently_wrong']:.3f}")
    # A wrong intent costs about twice a request to rephrase (a wrong action, then a correction).
    cost = {t: 2 * v["confidently_wrong"] + v["fallback"] for t, v in thresholds.items()}
    best = min(cost, key=lambda t: (round(cost[t], 6), t))
    print(f"    cheapest threshold with a wrong intent costing 2 rephrasings: {best:.1f}"
          f" (configured: {configured_threshold(args.model)})")
    if args.show_errors:
        print("  misclassified:")
        for row, parsed in zip(rows, results):
            if row["intent"] != parsed["intent"]["name"]:
                print(f"    [{row['intent']} -> {parsed['intent']['name']} {parsed['intent'].get('confidence', 0):.2f}] {row['text']}")
        print("  entity mismatches (gold | predicted):")
        for text, g, p in entity_errors:
            print(f"    {text!r}: {g} | {p}")

    figures = {"messages": len(rows), "intent_accuracy": accuracy, "intent_macro_f1": macro_f1,
               "faq_accuracy": faq_ok / faq_total if faq_total else None, "entity_f1": entity_f1,
               "entity_f1_by_type": {k: _f1(*c) for k, c in counts.items()},
               "latency_ms_p50": p50, "latency_ms_p95": p95,
               "confusions": [[g, p, n] for (g, p), n in confusions.most_common()],
               "fallback_thresholds": {str(k): v for k, v in thresholds.items()}, "cheapest_threshold": best,
               "by_kind": {kind: {"intent_accuracy": k[0] / k[1], "messages": k[1], "entity_tp": k[2],
                                  "entity_fp": k[3], "entity_fn": k[4]} for kind, k in by_kind.items()}}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    if accuracy < args.floor:
        print(f"FAIL: intent accuracy {accuracy:.3f} is below the floor {args.floor}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
