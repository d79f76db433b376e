"""Checks a qlip-autoquant report against its own measurements: the global
rule (and ReLU6 mode) is the best of the global tries; the weights without
empirical bias correction were measured with that rule and kept only if
they raised the SQNR by more than 0.01 dB, then each layer's correction
the other way, kept for more than 0.1 dB; the residual adds' operands
raised only for more than 0.1 dB, and then each add's lowered back unless
raising it gained more than 0.1 dB; every per-activation rule that was
kept raised the SQNR by more than 0.01 dB over the choice before it, and the
final SQNR is the last kept measurement.

usage: check-autoquant-report.py report.json expected-measurements|any
"""
import json
import sys

report = json.load(open(sys.argv[1]))
tries = report["measurements"]
assert sys.argv[2] == "any" or len(tries) == int(sys.argv[2]), \
    f"{len(tries)} measurements"
globals_ = [t for t in tries if t["try"].startswith("act-clip=")]
best = max(globals_, key=lambda t: t["sqnr_db"])
# A tie keeps the earlier rule.
first_best = next(t for t in globals_ if t["sqnr_db"] == best["sqnr_db"])
rule, *flags = first_best["try"].split("=", 1)[1].split(" ")
assert report["act_clip"] == rule, (report["act_clip"], rule)
assert report["calibrate_relu6"] == ("calibrate-relu6" in flags), report
current = best["sqnr_db"]
rest = tries[len(globals_):]
# Empirical bias correction off, measured with the best global choice.
if rest and rest[0]["try"].startswith("empirical-bias-correction=false "):
    off = rest.pop(0)
    assert off["try"] == "empirical-bias-correction=false " + \
        first_best["try"], off
    assert report["empirical_bias_correction"] == \
        (off["sqnr_db"] <= current + 0.01), report
    current = max(current, off["sqnr_db"]) \
        if off["sqnr_db"] > current + 0.01 else current
    # Then each layer the other way, kept for more than 0.1 dB; a run of
    # tries without a gain never outlasts the patience.
    flipped, run = [], 0
    other = "false" if report["empirical_bias_correction"] else "true"
    while rest and rest[0]["try"].startswith("layer-bias-correction="):
        flip = rest.pop(0)
        _, name, value = flip["try"].split("=")
        assert value == other, flip
        run += 1
        assert run <= report["refine_patience"], (run, flip)
        if flip["sqnr_db"] > current + 0.1:
            current, run = flip["sqnr_db"], 0
            flipped.append(name)
    assert report["bias_correction_flipped"] == flipped, \
        (report["bias_correction_flipped"], flipped)
else:
    # Not measured (every activation at 8 bits: kept on) or not chosen
    # (as `weights` says, and not reported).
    assert report.get("empirical_bias_correction", True) is True, report
    assert not report.get("bias_correction_flipped"), report
# The residual adds' operands raised, measured with the choice so far,
# kept only for more than 0.1 dB.
if rest and rest[0]["try"].startswith("residual-add-bits="):
    wide = rest.pop(0)
    bits, ids = wide["try"].split("=", 1)[1].split(" on ")
    assert int(bits) == report["residual_add_bits"], wide
    kept_wide = wide["sqnr_db"] > current + 0.1
    raised = ids.split(",") if kept_wide else []
    if kept_wide:
        current = wide["sqnr_db"]
    # Then each add back at the choice's bits, kept there unless raising it
    # gained more than 0.1 dB.
    while rest and rest[0]["try"].startswith("residual-add-lowered on "):
        assert kept_wide, rest[0]
        low = rest.pop(0)
        lowered = low["try"].split(" on ")[1].split(",")
        assert all(i in raised for i in lowered), (lowered, raised)
        if not current > low["sqnr_db"] + 0.1:
            current = low["sqnr_db"]
            raised = [i for i in raised if i not in lowered]
    assert report["residual_raised"] == raised, \
        (report["residual_raised"], raised)
else:
    assert "residual_raised" not in report, report
current_before_refine = current
# Refinements come most promising first: an activation's rules together,
# the activations by descending scale spread (ties in program order).
spreads, seen = [], []
for t in rest:
    id_ = t["try"].split("=")[1]
    if not seen or seen[-1] != id_:
        assert id_ not in seen, f"{id_} refined in two runs"
        seen.append(id_)
        spreads.append(t["scale_spread"])
    assert t["scale_spread"] == spreads[-1], t
    assert t["scale_spread"] > 0, t
assert spreads == sorted(spreads, reverse=True), spreads
kept = []
for t in rest:
    if t["sqnr_db"] > current + 0.01:
        current = t["sqnr_db"]
        _, id_, rule = t["try"].split("=")
        # A later rule for the same activation replaces an earlier one.
        kept = [k for k in kept if k[0] != id_] + [(id_, rule)]
# A run of refinements without a gain never outlasts the patience.
patience = report.get("refine_patience", 0)
if patience > 0:
    run, level = 0, current_before_refine
    for t in rest:
        if t["sqnr_db"] > level + 0.01:
            level, run = t["sqnr_db"], 0
        else:
            run += 1
        assert run <= patience, (run, patience)
assert [(k["id"], k["rule"]) for k in report["layer_clip"]] == kept or \
    sorted((k["id"], k["rule"]) for k in report["layer_clip"]) == sorted(kept), \
    (report["layer_clip"], kept)
assert abs(report["sqnr_db"] - current) < 1e-9, (report["sqnr_db"], current)
print(f"consistent: act-clip={report['act_clip']}, "
      f"residual-raised={len(report.get('residual_raised', []))}, "
      f"empirical-bias-correction="
      f"{str(report.get('empirical_bias_correction', 'given')).lower()}, "
      f"{len(report.get('bias_correction_flipped', []))} flipped, "
      f"{len(kept)} per-activation, "
      f"{len(tries)} measurements, {len(globals_)} global, "
      f"patience {report.get('refine_patience', 'none')}")
