"""Long values at 80x24: a JDBC URL with its options, a distribution's path, the directory a
tree is written to, and the Write step's passwords. Each reads whole: text breaks at word
ends or after a URL's or a path's separators, never inside a word, and a path box not being
edited shows its start and its file name."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static

from screens.widgets.field import Field
from tests.ui.test_tui_support import (
    SNAPSHOT_CWD,
    _colour,  # noqa: F401 - autouse
    choose_origin,
    confirm_all,
    control,
    make_app,
    next_step,
    settle,
    type_into,
)
from wizard import output
from wizard.steps import STEP_IDS

HOST = "sqlserver-production-primary.eastus2.database.windows.net"
OPTIONS = (
    "encrypt=true;trustServerCertificate=false;hostNameInCertificate=*.database.windows.net;"
    "loginTimeout=30"
)
DEEP = "customer-acme-production-distributions-2024/enterprise-service-bus"
ZIP = "wso2esb-5.0.0-with-security-updates-and-customisations.zip"
SEPARATORS = tuple("/\\?&;,=|.-_:@+ ")


def lines(widget: Widget) -> list[str]:
    """The rows `widget` draws, as text, right ends trimmed."""
    width, height = widget.size
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))]


def broken_inside_a_word(rows: list[str], whole: str) -> list[str]:
    """The rows of `whole` that end inside a word: neither at a space (which wrapping
    drops) nor after a separator."""
    flat = " ".join(whole.split())
    assert "".join("".join(rows).split()) == "".join(flat.split()), rows
    at, bad = 0, []
    for row in rows[:-1]:
        text = " ".join(row.split())
        if not text:
            continue
        at = flat.index(text, at) + len(text)
        if at < len(flat) and flat[at] != " " and not text.endswith(SEPARATORS):
            bad.append(row)
    return bad


@pytest.mark.parametrize("width", [30, 37, 54, 76])
def test_a_word_wider_than_the_line_breaks_after_its_separators(width: int) -> None:
    from screens.widgets.longtext import divide_line

    url = f"jdbc:sqlserver://{HOST}:1433;databaseName=WSO2_CONFIG_DB;{OPTIONS}"
    text = f"every node's JDBC URL: {url} and then /opt/{DEEP}/{ZIP}"
    cuts = [0, *divide_line(text, width), len(text)]
    rows = [text[a:b] for a, b in itertools.pairwise(cuts)]
    assert all(len(row.rstrip()) <= width for row in rows), rows
    assert broken_inside_a_word(rows, text) == []
    # A line with room is filled up to a separator.
    assert rows[0].startswith("every node's JDBC URL: jdbc:")


def test_a_path_too_long_for_its_box_keeps_its_file_name() -> None:
    from screens.widgets.longtext import elide_middle

    path = f"/opt/{DEEP}/{ZIP}"
    shown = elide_middle(path, 40)
    assert len(shown) == 40 and shown.startswith("/opt/") and "…" in shown
    assert shown.endswith(ZIP[-29:])
    assert elide_middle("/opt/wso2am-2.6.0.zip", 40) == "/opt/wso2am-2.6.0.zip"


async def show(pilot: Pilot[Any], step: str, **answers: Any) -> None:
    app = pilot.app
    await choose_origin(pilot, "preset:esb-dss-bps-mssql-split")
    for path, value in answers.items():
        app.state.set_answer(path.replace("__", "."), value)
    app.state.visited.update(STEP_IDS[: STEP_IDS.index(step)])
    await app.show_step(step)
    await settle(pilot)


async def test_the_jdbc_url_under_a_database_breaks_at_its_separators(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "database", database__host=HOST, database__url_options=OPTIONS)
        url = next(iter(app.query(".url").results(Static)))
        rows = lines(url)
        assert len(rows) >= 4  # the URL is long enough to wrap at 80 columns
        assert broken_inside_a_word(rows, str(url.content)) == []
        assert rows[0] == "every node's JDBC URL: jdbc:sqlserver://"


async def test_a_distribution_refused_is_said_at_path_ends_and_its_box_keeps_the_name(
    tmp_path: Path,
) -> None:
    missing = tmp_path / DEEP / ZIP
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "products")
        await type_into(pilot, "products[0].distribution", str(missing))
        await settle(pilot)
        box = control(app, "products[0].distribution")
        message = box.query_ancestor(Field).query_one(".field-message", Static)
        rows = lines(message)
        assert len(rows) >= 3
        assert broken_inside_a_word(rows, str(message.content)) == []
        # Left, the box shows where the path starts and the file it names.
        await pilot.press("tab")
        await pilot.pause()
        assert not box.has_focus
        [shown] = lines(box)
        assert shown.startswith(str(tmp_path)[:4]) and "…" in shown
        assert shown.endswith("customisations.zip")
        assert box.value == str(missing)  # only the drawing is shortened


async def test_the_directory_box_shows_the_end_of_a_long_path(tmp_path: Path) -> None:
    out = f"/srv/plans/{DEEP}/esb-dss-bps-mssql-split"
    app = make_app(tmp_path, cwd=SNAPSHOT_CWD)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:esb-dss-bps-mssql-split")
        app.state.out_dir = out
        app.state.visited.update(STEP_IDS[:-1])
        await app.show_step("write")
        await settle(pilot)
        box = app.query_one("#out", Input)
        box.focus()
        await settle(pilot)
        [shown] = lines(box)
        # The box fits the step (it ran 20 columns past it), scrolled to the typing end.
        assert box.region.right <= app.query_one(Field).region.right
        assert shown.strip().endswith("esb-dss-bps-mssql-split")


async def test_the_write_result_names_a_long_directory_at_path_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = Path(f"/srv/plans/{DEEP}/esb-dss-bps-mssql-split-with-a-long-name")
    written = output.write_tree

    def write_here(tree: Any, where: Path, **kwargs: Any) -> output.WriteResult:
        done = written(tree, tmp_path / "tree", **kwargs)
        return output.WriteResult(where, Path(f"{where}.backup-1"), done.files)

    monkeypatch.setattr(output, "write_tree", write_here)
    app = make_app(tmp_path, cwd=SNAPSHOT_CWD)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 5)
        await confirm_all(pilot)
        await next_step(pilot)
        app.query_one("#out", Input).value = str(out)
        await next_step(pilot)  # Next on Write writes
        await settle(pilot)
        status = app.query_one("#write-status", Static)
        rows = lines(status)
        assert rows[0].startswith("Wrote ")
        assert broken_inside_a_word(rows, str(status.content)) == []


async def test_each_unset_password_is_titled_with_its_database(tmp_path: Path) -> None:
    """Each box says what it is for over it, whole at 80 columns: the database as its
    card on the Database step is titled, and the variable in the hint under it."""
    app = make_app(tmp_path, env={})  # none of the preset's variables set
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "write")
        titles = {
            str(box.id).removeprefix("pw-"): box.query_ancestor(Field).query_one(".pw-title")
            for box in app.query(".run-password").results(Input)
        }
        assert {name: str(t.content) for name, t in titles.items()} == {
            "WSO2_CONFIG_DB_PASSWORD": "Config registry database password",
            "WSO2_GOV_DB_PASSWORD": "Governance registry database password",
            "WSO2_UM_DB_PASSWORD": "User management database password",
            "WSO2_BPS_DB_PASSWORD": "Business Process Server · BPS_DS database password",
        }
        for name, title in titles.items():
            title.scroll_visible(animate=False)
            await pilot.pause()
            rows = lines(title)
            assert " ".join(rows) == str(title.content)  # whole words on each row
            hint = title.query_ancestor(Field).query_one(".field-hint", Static)
            assert str(hint.content).startswith(f"${name} is not set (")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_help_text_wraps_at_sentence_ends_not_where_it_was_typed(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    # Before: the keys' help had line breaks typed into it, so at the dialog's width a
    # sentence broke in two and left a short stub ("site-specific answer") on its own row.
    from screens.widgets.dialogs import HelpDialog

    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        [text] = [s for s in app.screen.query(Static) if "Keys:" in str(s.render())]
        rows = [row.strip() for row in lines(text)]
        width = text.size.width
        stubs = [
            row
            for row, after in itertools.pairwise(rows)
            if row
            and after
            and not after.startswith("•")
            and len(row) < width * 2 // 3
            and not row.endswith((".", ":", ";", ")"))
        ]
        assert "F1 shows this help." in " ".join(rows)
        assert stubs == [], rows


async def test_the_add_hosts_box_shows_its_whole_example_at_80x24(tmp_path: Path) -> None:
    # Before: the Add button took 16 columns and the box read "10.0.1.{11..1".
    from wizard.questions import ADD_HOSTS

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 2)
        assert app.current == "nodes"
        box = app.query_one("#pattern-0", Input)
        assert ADD_HOSTS.example in "".join(lines(box))


def tree_readme_steps(app: Any) -> str:
    """The next steps the Write step shows, as the tree's README gives them."""
    from wizard import tree, workflow

    planned = workflow.plan(app.state.answers, app.state.env, app.state.files)
    return tree.next_steps(workflow.build(planned.plan))


async def test_the_next_steps_after_writing_read_whole_at_80x24(tmp_path: Path) -> None:
    # Before: a code block's commands and a level-3 heading were cut at the right edge
    # ("mysql -h db.example.com -P 3306 -u wso2reg -p WS", "(each database's own use").
    import re

    from textual.widgets import Label
    from textual.widgets.markdown import MarkdownFence

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_origin(pilot, "preset:apim-2node-mysql")
        app.state.confirm(app.state.pending())
        await next_step(pilot, 6)
        app.query_one("#out", Input).value = str(tmp_path / "tree")
        await pilot.pause()
        await next_step(pilot)
        assert app.state.written == tmp_path / "tree"
        summary = app.query_one("#summary")
        fences = list(summary.query(MarkdownFence))
        assert len(fences) > 3
        for fence in fences:
            label = fence.query_one(Label)
            width, height = label.outer_size  # its text is inset: padding included
            drawn = "".join(s.text for s in label.render_lines(Region(0, 0, width, height)))
            # ... inside its block: wider, the block cut it at its right edge.
            assert label.region.right <= fence.region.right, (drawn, fence.region)
            # Every character of every command is on screen (folded or wrapped, not cut).
            assert "".join(drawn.split()) == "".join(fence.code.split()), (drawn, fence.code)
        source = tree_readme_steps(app)
        titles = [re.sub(r"[`*]", "", t) for t in re.findall(r"^### (.*)$", source, re.M)]
        drawn_titles = [
            " ".join(row.strip() for row in lines(h) if row.strip())
            for h in summary.query("MarkdownH3")
        ]
        assert drawn_titles == titles
