"""*-datasources.xml: the plan's shared datasources, patched into the stock file.

A datasource the stock file already defines (by name: `WSO2AM_DB`, `BPS_DS`, ...) is edited in
place: its JNDI name and the connection settings the plan owns are set, every other pool
setting of the product is kept. A datasource the file lacks is added after the last one.
The node-local `WSO2_CARBON_DB` is never touched. Everything else keeps its bytes.

What an edit writes over a stock value, and why (the README lists the same): url, username,
password and driverClassName (the shared database instead of the embedded H2 one),
validationQuery (the engine's, fitted to the datasource's defaultAutoCommit) and testOnBorrow
(true, as every stock file has it; added where a file lacks it, unless the datasource tests
idle connections instead, as DAS's analytics ones do: rule 7). defaultAutoCommit stays as the
stock file has it: WSO2's guides change only the connection settings (EI610 "Changing the
Default Databases for BPMN and BPEL": url, username, password, driver), and no product needs
another value. A datasource the product looks up by its name (DAS) gets no jndiConfig.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from lxml import etree

from wizard.plan import DatasourcePlan
from wizard.render import xmltools
from wizard.render.xmltext import Edit, Markup, splice

RDBMS_READER = "org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader"
SVNS = "http://org.wso2.securevault/configuration"

# A file the product does not ship (e.g. bps-datasources.xml over the kernel baseline).
SKELETON = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- carbon-wizard: system datasources that the stock files do not define. -->
<datasources-configuration xmlns:svns="{SVNS}">

    <providers>
        <provider>{RDBMS_READER}</provider>
    </providers>

    <datasources>
    </datasources>

</datasources-configuration>
""".encode()

# Pool settings for a datasource the stock file lacks: the kernel's own defaults.
_POOL = (("maxActive", "50"), ("maxWait", "60000"), ("validationInterval", "30000"))


def patch_datasources(stock: bytes | None, datasources: Sequence[DatasourcePlan]) -> bytes:
    """`stock` (None: a new file) with every datasource of `datasources` defined.

    Passwords are written as given, escaped once; the Secure Vault pass replaces them
    afterwards when the node uses it.
    """
    return _patch(stock if stock is not None else SKELETON, tuple(datasources))


@lru_cache(maxsize=256)
def _patch(stock: bytes, datasources: tuple[DatasourcePlan, ...]) -> bytes:
    # Nodes of one product cluster share the stock file and the datasources: patch once.
    data = stock
    for ds in datasources:
        data = _patch_one(data, ds)
    return data


def _patch_one(data: bytes, ds: DatasourcePlan) -> bytes:
    name = ds.name
    root = xmltools.parse(data).getroot()
    if root.tag != "datasources-configuration":
        raise ValueError(
            f"not a datasources file: root element is <{root.tag}>, expected "
            "<datasources-configuration>"
        )
    m = Markup(data, root)
    container = root.find("datasources")
    if container is None:
        indent = m.children_indent(root)
        block = m.block(
            [
                (0, "<datasources>"),
                *[(1 + d, t) for d, t in _new_datasource(ds)],
                (0, "</datasources>"),
            ],
            indent,
        )
        return splice(data, [m.insert_last_child(root, block, indent)])
    found = [
        d for d in container.findall("datasource") if (d.findtext("name") or "").strip() == name
    ]
    if not found:
        existing = container.findall("datasource")
        if existing:
            indent = m.indent_of(existing[-1])
            block = m.block(_new_datasource(ds), indent)
            return splice(data, [m.insert_after(existing[-1], block, blank_line=True)])
        indent = m.children_indent(container)
        block = m.block(_new_datasource(ds), indent)
        return splice(data, [m.insert_last_child(container, block, indent)])
    # Carbon refuses a second system datasource of one name; the first is the one to edit,
    # and the stock file is not expected to hold two.
    return splice(data, _edit_existing(m, found[0], ds))


def _settings(ds: DatasourcePlan) -> dict[str, str]:
    """The `configuration` children the plan owns, in the order a new datasource lists them."""
    return {
        "url": ds.url,
        "username": ds.username,
        "password": ds.password or "",
        "driverClassName": ds.driver_class,
        "testOnBorrow": "true",
        "validationQuery": ds.validation_query,
        "defaultAutoCommit": "true" if ds.auto_commit else "false",
    }


def _new_datasource(ds: DatasourcePlan) -> list[tuple[int, str]]:
    t = xmltools.text
    lines: list[tuple[int, str]] = [
        (0, "<datasource>"),
        (1, f"<name>{t(ds.name)}</name>"),
        (1, f"<description>{t(ds.description)}</description>"),
    ]
    if ds.jndi_name:  # none where the product looks the datasource up by name (DAS)
        lines += [(1, "<jndiConfig>"), (2, f"<name>{t(ds.jndi_name)}</name>"), (1, "</jndiConfig>")]
    lines += [(1, '<definition type="RDBMS">'), (2, "<configuration>")]
    settings = _settings(ds)
    order = ["url", "username", "password", "driverClassName"]
    lines += [(3, f"<{k}>{t(settings[k])}</{k}>") for k in order]
    lines += [(3, f"<{k}>{v}</{k}>") for k, v in _POOL[:2]]
    if ("testWhileIdle", "true") not in ds.stock_pool:  # DAS's way, as its stock file has it
        lines += [(3, f"<testOnBorrow>{settings['testOnBorrow']}</testOnBorrow>")]
    lines += [(3, f"<validationQuery>{t(settings['validationQuery'])}</validationQuery>")]
    lines += [(3, f"<{k}>{v}</{k}>") for k, v in _POOL[2:]]
    lines += [(3, f"<defaultAutoCommit>{settings['defaultAutoCommit']}</defaultAutoCommit>")]
    lines += [(3, f"<{k}>{t(v)}</{k}>") for k, v in ds.stock_pool]
    lines += [(2, "</configuration>"), (1, "</definition>"), (0, "</datasource>")]
    return lines


def _edit_existing(m: Markup, datasource: etree._Element, ds: DatasourcePlan) -> list[Edit]:
    t = xmltools.text
    edits: list[Edit] = []
    jndi = datasource.find("jndiConfig")
    jndi_name = ds.jndi_name
    name_el = datasource.find("name")
    assert name_el is not None  # the datasource was found by its <name>
    if not jndi_name:
        pass  # looked up by its name (DAS): the stock file's jndiConfig, if any, stays
    elif jndi is None:
        anchor = datasource.find("description")
        if anchor is None:
            anchor = name_el
        indent = m.indent_of(anchor)
        block = m.block(
            [(0, "<jndiConfig>"), (1, f"<name>{t(jndi_name)}</name>"), (0, "</jndiConfig>")], indent
        )
        edits.append(m.insert_after(anchor, block))
    else:
        jname = jndi.find("name")
        if jname is None:
            indent = m.children_indent(jndi)
            edits.append(m.insert_last_child(jndi, f"<name>{t(jndi_name)}</name>", indent))
        else:
            edits.append(m.span(jname).replace_content(m.encode(t(jndi_name))))
    definition = datasource.find("definition")
    config = definition.find("configuration") if definition is not None else None
    if definition is None or config is None or definition.get("type") != "RDBMS":
        # Not an RDBMS definition we can edit: the whole definition is the plan's.
        lines = _new_datasource(ds)
        start = next(i for i, (_, text) in enumerate(lines) if text.startswith("<definition"))
        body = [(d - 1, text) for d, text in lines[start:-1]]
        if definition is not None:
            block = m.block(body, m.indent_of(definition))
            edits.append(m.span(definition).replace(m.encode(block)))
        else:
            anchor = jndi if jndi is not None else name_el
            edits.append(m.insert_after(anchor, m.block(body, m.indent_of(anchor))))
        return edits
    settings = _settings(ds)
    # The product's defaultAutoCommit stays (absent: the driver's default, on); the query
    # follows it, or PostgreSQL logs a warning on every validation (engines.py).
    del settings["defaultAutoCommit"]
    kept = _auto_commit(config)
    if kept is not None:
        settings["validationQuery"] = ds.validation_query_for(kept)
    if not config.findall("testOnBorrow") and _is_true(config, "testWhileIdle"):
        del settings["testOnBorrow"]  # DAS's own way to validate stays (rule 7 accepts it)
    indent = m.children_indent(config)
    last: etree._Element | None = None
    missing: list[str] = []
    for tag, value in settings.items():
        present = config.findall(tag)
        if not present:
            missing.append(f"<{tag}>{t(value)}</{tag}>")
            continue
        for element in present:
            span = m.span(element)
            if tag == "password":
                # The whole element: a stock `encrypted` or `svns:secretAlias` attribute would
                # make Carbon decrypt or look up the plain password.
                edits.append(span.replace(m.encode(f"<{span.name}>{t(value)}</{span.name}>")))
            else:
                edits.append(span.replace_content(m.encode(t(value))))
        last = present[-1] if last is None or _after(present[-1], last) else last
    if missing:
        markup = (m.nl + indent).join(missing)
        if last is not None:
            edits.append(m.insert_after(last, markup))
        else:
            edits.append(m.insert_last_child(config, markup, indent))
    return edits


def _auto_commit(config: etree._Element) -> bool | None:
    """The defaultAutoCommit a stock configuration leaves its connections in; None when it is
    not a plain boolean (a `${...}` placeholder, say)."""
    present = config.findall("defaultAutoCommit")
    if not present:
        return True  # Tomcat's pool then never calls setAutoCommit: JDBC connections start on
    value = (present[-1].text or "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(value)


def _is_true(config: etree._Element, tag: str) -> bool:
    present = config.findall(tag)
    return bool(present) and (present[-1].text or "").strip().lower() == "true"


def _after(a: etree._Element, b: etree._Element) -> bool:
    parent = a.getparent()
    return parent is not None and parent.index(a) > parent.index(b)
