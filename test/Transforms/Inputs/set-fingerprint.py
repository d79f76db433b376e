"""Fills @FINGERPRINT@ in a statistics file template with the fingerprint
printed by `qlip-opt -qlip-print-fingerprint`:
    set-fingerprint.py TEMPLATE FINGERPRINT_OUTPUT OUT"""
import sys

template, printed, out = sys.argv[1:4]
with open(printed) as f:
    fingerprint = f.read().split("fingerprint:")[1].split()[0]
with open(template) as f:
    text = f.read().replace("@FINGERPRINT@", fingerprint)
with open(out, "w") as f:
    f.write(text)
