"""Checks that every qlip pass declared in ODS is listed by `--help`.

usage: passes-in-help.py HELP_OUTPUT QLIP_SOURCE_ROOT
Prints `N qlip passes, all listed`, or the missing ones and exits 1.
"""
import glob
import os
import re
import sys

help_text = open(sys.argv[1]).read()
root = sys.argv[2]
sources = glob.glob(os.path.join(root, "include/qlip/*/Passes.td")) + glob.glob(
    os.path.join(root, "dialects/*/Transforms/Passes.td"))
passes = sorted({name for path in sources
                 for name in re.findall(r'Pass<"(qlip-[a-z0-9-]+)"', open(path).read())})
missing = [p for p in passes
           if not re.search(r"--%s +- +[A-Z]" % re.escape(p), help_text)]
if not passes or missing:
    print("not listed by --help: %s" % (", ".join(missing) or "no passes found"))
    sys.exit(1)
print("%d qlip passes, all listed" % len(passes))
