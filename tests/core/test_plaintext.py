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
    assert long_words  # quoted: kept whole, a backslash inside quotes is not a continuation
    assert all(row.endswith("\\") for row in code[:-2])


def test_the_shell_reads_the_folded_rows_as_the_command() -> None:
    code = fold_fences(MARKDOWN, 40).partition("```sh\n")[2].partition("```")[0]
    first = code.splitlines()[:-1]
    # bash itself joins the rows: what it would run is echoed word per line.
    script = "printf '%s\\n' " + "\n".join(first).replace("&&", "'&&'")
    ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == shlex.split(COMMAND.replace("&&", "'&&'"))


PATHS = (
    "scp nodes/apim-1/repository/conf/datasources/master-datasources.xml "
    "10.0.1.11:/opt/wso2am-2.6.0/repository/conf/datasources/master-datasources.xml.planned "
    "&& ssh 10.0.1.11 diff -u /opt/wso2am-2.6.0/repository/conf/datasources/"
    "master-datasources.xml /opt/wso2am-2.6.0/repository/conf/datasources/"
    "master-datasources.xml.planned"
)


def test_a_path_wider_than_a_row_is_broken_where_the_shell_joins_it() -> None:
    # Before: a path wider than the row stayed whole and ran past the screen's edge (cut in
    # the full-screen app, wrapped mid-word by the terminal in the prompt mode).
    from wizard.plaintext import fold_command

    rows = fold_command(PATHS, 46, "")
    assert all(len(row) <= 46 for row in rows), rows
    script = "printf '%s\\n' " + "\n".join(rows).replace("&&", "'&&'")
    ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == PATHS.replace("&&", "'&&'").replace("'", "").split()
