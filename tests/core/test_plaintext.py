"""Commands folded for a narrow screen still mean what they meant: the shell reads the
folded rows as the one command the README gives."""

from __future__ import annotations

import shlex
import subprocess

from wizard.plaintext import fold_fences

COMMAND = (
    "scp nodes/apim-1/repository/conf/registry.xml "
    "10.0.1.11:'<PRODUCT_HOME>'/repository/conf/registry.xml.planned && ssh 10.0.1.11 "
    "diff -u '<PRODUCT_HOME>'/repository/conf/registry.xml"
)
PROSE = "Intro text that is long enough to be wider than the block but is prose."
MARKDOWN = f"{PROSE}\n\n```sh\n{COMMAND}\necho short\n```\n"


def test_only_the_code_is_folded_and_each_row_fits() -> None:
    folded = fold_fences(MARKDOWN, 40)
    prose, _, rest = folded.partition("```sh\n")
    assert prose == MARKDOWN.partition("```sh\n")[0]  # prose is the Markdown widget's to wrap
    code = rest.partition("```")[0].splitlines()
    assert code[-1] == "echo short"
    long_words = [w for w in COMMAND.split() if len(w) > 36]
    assert all(len(row) <= 40 or row.removesuffix(" \\").strip() in long_words for row in code)
    assert all(row.endswith(" \\") for row in code[:-2])


def test_the_shell_reads_the_folded_rows_as_the_command() -> None:
    code = fold_fences(MARKDOWN, 40).partition("```sh\n")[2].partition("```")[0]
    first = code.splitlines()[:-1]
    # bash itself joins the rows: what it would run is echoed word per line.
    script = "printf '%s\\n' " + "\n".join(first).replace("&&", "'&&'")
    ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == shlex.split(COMMAND.replace("&&", "'&&'"))
