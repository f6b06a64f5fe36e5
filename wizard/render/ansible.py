"""Plan -> ansible/: an inventory of the nodes and the playbooks that push each node's files
into its PRODUCT_HOME and collect what is deployed.

Plain text, like every other file of the tree: writing a tree never needs Ansible. The
inventory holds hosts, folders, users and file names, never a secret. The files that hold one
(`wizard.redact.holds_secret`) are listed with `diff: false`, so `--check --diff` names them
as differing without printing their contents; `no_log` would hide even their names, and the
copy module's own result carries no file contents. `carbon-wizard collect` and
`check --deployed` show those files' differences with the passwords masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from wizard.homes import node_homes, product_home
from wizard.model import Fleet
from wizard.plan import Plan
from wizard.redact import holds_secret

FOLDER = "ansible"
INVENTORY = f"{FOLDER}/inventory.yml"
PUSH = f"{FOLDER}/push.yml"
COLLECT = f"{FOLDER}/collect.yml"
COLLECT_DIR_VAR = "carbon_collect_dir"
FILE_MODE = "0600"
EXEC_MODE = "0700"


def fleet_of(plan: Plan) -> Fleet:
    return plan.topology.fleet or Fleet()


def paths(plan: Plan) -> list[str]:
    """The tree paths of ansible/'s files (for the manifest); none when it is left out."""
    return sorted((INVENTORY, PUSH, COLLECT)) if fleet_of(plan).ansible else []


def render(
    plan: Plan, files: Mapping[str, bytes], executables: frozenset[str], baseline: set[str]
) -> dict[str, bytes]:
    """ansible/'s files for the tree whose files are `files` (tree path -> bytes); none
    when [fleet] ansible = false. `baseline`: the product clusters patched from the kernel
    baseline, whose files must be merged by hand, never copied over the product's own."""
    if not fleet_of(plan).ansible:
        return {}
    return {
        INVENTORY: inventory(plan, files, executables, baseline).encode(),
        PUSH: PUSH_PLAYBOOK.encode(),
        COLLECT: COLLECT_PLAYBOOK.encode(),
    }


def group_name(product_key: str, node_ids: set[str]) -> str:
    """The product cluster's inventory group: `-` is not allowed in Ansible group names,
    and a group named like a host makes `--limit` ambiguous."""
    name = product_key.replace("-", "_")
    return f"{name}_cluster" if name in node_ids else name


def inventory(
    plan: Plan, files: Mapping[str, bytes], executables: frozenset[str], baseline: set[str]
) -> str:
    top = plan.topology
    fleet = fleet_of(plan)
    homes = node_homes(top)
    per_node = _node_files(plan, files, executables)
    node_ids = set(homes)
    out = [
        f"# carbon-wizard: the nodes of {top.name}, for ansible/push.yml and ansible/collect.yml.",
        "# No secret here: hosts, PRODUCT_HOME folders, users and the files each node gets.",
        "# A group is a product cluster: --limit <group> or --limit <node id>.",
        "# diff: false marks a file that holds passwords: --diff names it, never its contents.",
        "all:",
    ]
    common = [
        ("ansible_user", fleet.user),
        ("carbon_owner", fleet.owner),
        ("carbon_group", fleet.group),
    ]
    if any(value for _, value in common):
        out.append("  vars:")
        out += [f"    {key}: {_str(value)}" for key, value in common if value]
    out.append("  children:")
    nodes_of: dict[str, list[str]] = {}
    for node in plan.nodes:
        nodes_of.setdefault(node.product_key, []).append(node.id)
    hosts = {node.id: node.host for node in plan.nodes}
    for product in top.products:
        members = nodes_of.get(product.key, [])
        home = product_home(product)
        shared = per_node[members[0]] if members else []
        if any(per_node[n] != shared for n in members):
            shared = []
        out += [
            f"    {_str(group_name(product.key, node_ids))}:",
            "      vars:",
            f"        carbon_home: {_str(home)}",
        ]
        if product.key in baseline:
            out.append("        carbon_baseline: true  # push refuses; --check --diff compares")
        if shared:
            out += ["        carbon_files:", *_file_lines(shared, "          ")]
        out.append("      hosts:")
        for node_id in members:
            out += [f"        {_str(node_id)}:", f"          ansible_host: {_str(hosts[node_id])}"]
            if homes[node_id] != home:
                out.append(f"          carbon_home: {_str(homes[node_id])}")
            if not shared:
                out += ["          carbon_files:", *_file_lines(per_node[node_id], "            ")]
    return "\n".join(out) + "\n"


def _node_files(
    plan: Plan, files: Mapping[str, bytes], executables: frozenset[str]
) -> dict[str, list[tuple[str, str, bool]]]:
    """Node id -> (path under PRODUCT_HOME, mode, diff shown) of every file of its folder."""
    out: dict[str, list[tuple[str, str, bool]]] = {node.id: [] for node in plan.nodes}
    cluster = {node.id: node.product_key for node in plan.nodes}
    shown_for: dict[tuple[str, str], bool] = {}
    for path, content in files.items():
        if not path.startswith("nodes/"):
            continue
        node_id, _, rest = path[len("nodes/") :].partition("/")
        entries = out.get(node_id)
        if entries is None or not rest:
            continue
        # A cluster's nodes get each file from one template (they differ in hosts, ports
        # and offsets, never in which elements hold a password), so one node's file decides
        # for all: reading every node's files costs seconds at a thousand nodes.
        key = (cluster[node_id], rest)
        shown = shown_for.get(key)
        if shown is None:
            # A jar's diff says nothing; a file with a password must not print it.
            shown = shown_for[key] = not rest.endswith(".jar") and not holds_secret(content, rest)
        entries.append((rest, EXEC_MODE if path in executables else FILE_MODE, shown))
    for entries in out.values():
        entries.sort()
    return out


def _file_lines(entries: Sequence[tuple[str, str, bool]], indent: str) -> list[str]:
    return [
        f"{indent}- {{path: {_str(path)}, mode: {_str(mode)}, diff: {str(shown).lower()}}}"
        for path, mode, shown in entries
    ]


def _str(value: str) -> str:
    """A YAML scalar that reads back as this exact string. JSON's quoting is YAML's; a value
    Jinja would expand (a jar's file name may hold `{{`) is marked !unsafe."""
    quoted = json.dumps(value)
    return f"!unsafe {quoted}" if any(c in value for c in "{}%") else quoted


def push_commands(plan: Plan) -> list[str]:
    """The command lines that push the tree, run from its folder: the dry run (drift,
    changes nothing), the push to every node, to the first product cluster, to the first
    node. The README, the full-screen app and the prompt mode say these."""
    groups = sorted({group_name(n.product_key, {m.id for m in plan.nodes}) for n in plan.nodes})
    run = f"ansible-playbook -i {INVENTORY} {PUSH}"
    return [
        f"{run} --check --diff",
        run,
        f"{run} --limit {groups[0]}",
        f"{run} --limit {plan.nodes[0].id}",
    ]


def baseline_note(merged: Sequence[str], products: int) -> str:
    """What the push does with the product clusters patched from the kernel baseline (their
    files are merged by hand, and the playbook refuses their nodes), as both front ends say
    it under the push commands; empty when there are none."""
    if not merged:
        return ""
    if len(merged) == products:
        return (
            "The push refuses every node here, as their files come from the kernel baseline "
            "and are merged by hand (README step 4). The dry run changes nothing and shows "
            "what to merge on each node."
        )
    return (
        "The push refuses the nodes of "
        + ", ".join(merged)
        + ": their files come from the kernel baseline and are merged by hand (README step 4)."
    )


def readme_section(plan: Plan, baseline: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The tree README's part on ansible/; nothing when it is left out."""
    fleet = fleet_of(plan)
    if not fleet.ansible:
        return []
    homes = node_homes(plan.topology)
    groups = sorted({group_name(n.product_key, set(homes)) for n in plan.nodes})
    dry_run, push_all, push_group, push_node = push_commands(plan)
    lines = [
        "## Push with Ansible (step 4 without copying by hand)",
        "",
        "`ansible/inventory.yml` lists every node by its id (`ansible_host` its host), grouped "
        "by product cluster (" + ", ".join(f"`{g}`" for g in groups) + "), with its "
        "PRODUCT_HOME; it holds no password. `ansible/push.yml` copies everything in each "
        "node's folder `nodes/<id>/` into its PRODUCT_HOME with the modes this tree has "
        "(0600, 0700 for `check-databases.sh`, new folders 0700), "
        "keeps each file it replaces beside it as a backup, then runs `check-databases.sh` on "
        "the node and stops where a database does not answer: do steps 1-3 first. A second "
        "run changes nothing. It needs `ansible-playbook` on this machine "
        "(`pip install 'carbon-wizard[fleet]'`) and SSH to the nodes. From this folder:",
        "",
        "```sh",
        "# drift: what each node has that differs from this tree (changes nothing)",
        dry_run,
        "# push to every node, to one product cluster, to one node",
        push_all,
        push_group,
        push_node,
        "# fetch what the nodes have into deployed/, and check it: stock -> planned -> deployed",
        "carbon-wizard collect .",
        "carbon-wizard check . --deployed",
        "```",
        "",
        "Files that hold passwords (the datasources, `user-mgt.xml`, ...) are marked "
        "`diff: false` in the inventory: `--check --diff` lists them as changed without "
        "their contents, and `carbon-wizard check . --deployed` shows their "
        "differences with the passwords masked.",
    ]
    if baseline:
        lines += [
            "",
            "The push refuses the nodes of "
            + ", ".join(f"`{k}`" for k in sorted(baseline))
            + ": their files come from the kernel baseline and are merged by hand (step 4); "
            "`--check --diff` shows what to merge.",
        ]
    people = [f"logs in as `{fleet.user}`"] if fleet.user else []
    if fleet.owner or fleet.group:
        owner = ":".join(x for x in (fleet.owner, fleet.group) if x)
        people.append(f"makes the files `{owner}`'s")
    if people:
        lines += [
            "",
            "The playbook " + " and ".join(people) + "; add `--become` (and `-K` for a sudo "
            "password) when that user may not write into PRODUCT_HOME or set the owner.",
        ]
    return [*lines, ""]


PUSH_PLAYBOOK = """\
# carbon-wizard: copy each node's files from nodes/<node>/ of this tree into its PRODUCT_HOME.
#   ansible-playbook -i ansible/inventory.yml ansible/push.yml [--limit <group or node>]
#   ... --check --diff: what each node has that differs from the tree; changes nothing.
# Idempotent: a second run changes nothing. A replaced file is kept beside the new one.
- name: Push the carbon-wizard tree to the nodes
  hosts: all
  gather_facts: false
  tasks:
    - name: PRODUCT_HOME is on the node
      ansible.builtin.stat:
        path: "{{ carbon_home }}"
      register: carbon_home_stat

    - name: Stop where the product is not unpacked
      ansible.builtin.fail:
        msg: >-
          {{ carbon_home }} is not a directory on {{ inventory_hostname }}: unpack the product
          there first, or give its folder as the product's (or the node's) home in the answers
          and generate the tree again
      when: not (carbon_home_stat.stat.isdir | default(false))

    - name: Stop where the files were patched from the kernel baseline
      ansible.builtin.fail:
        msg: >-
          {{ inventory_hostname }}: these files were patched from the built-in Carbon kernel
          baseline, and copying them over the product's own would drop its settings: merge
          them by hand (README step 4; --check --diff shows the differences), or generate the
          tree again with the product's distribution
      when: carbon_baseline | default(false) and not ansible_check_mode

    - name: The node's files, from nodes/<node>/ of the tree
      ansible.builtin.copy:
        src: "{{ playbook_dir }}/../nodes/{{ inventory_hostname }}/{{ item.path }}"
        # A folder (trailing /): the folders it lacks are made 0700; existing ones keep theirs.
        dest: "{{ [carbon_home, item.path | dirname] | select | join('/') }}/"
        mode: "{{ item.mode }}"
        directory_mode: "0700"
        owner: "{{ carbon_owner | default(omit) }}"
        group: "{{ carbon_group | default(omit) }}"
        backup: true
      loop: "{{ carbon_files }}"
      loop_control:
        label: "{{ item.path }}"
      # Only with --diff, and never for a file that holds passwords (diff: false).
      diff: "{{ item.diff and ansible_diff_mode }}"

    - name: check-databases.sh on the node
      ansible.builtin.command:
        argv: ["{{ carbon_home }}/check-databases.sh"]
      register: carbon_check
      changed_when: false
      failed_when: false
      when: not ansible_check_mode

    - name: Stop where a database does not answer
      ansible.builtin.fail:
        msg: >-
          {{ inventory_hostname }}: check-databases.sh failed (exit {{ carbon_check.rc }}):
          {{ (carbon_check.stdout ~ ' ' ~ carbon_check.stderr) | trim }}
      when: not ansible_check_mode and carbon_check.rc != 0
"""

COLLECT_PLAYBOOK = """\
# carbon-wizard: fetch each node's deployed copies of the files this tree owns.
# Run it through `carbon-wizard collect <tree>`, which says where they go and checks them.
- name: Collect the deployed files of the carbon-wizard tree
  hosts: all
  gather_facts: false
  tasks:
    - name: Run through carbon-wizard collect
      ansible.builtin.assert:
        that: carbon_collect_dir is defined
        fail_msg: "run `carbon-wizard collect <tree>`: it says where the files go"
        quiet: true

    - name: The node's files, into <collect dir>/<node>/
      ansible.builtin.fetch:
        src: "{{ carbon_home }}/{{ item.path }}"
        dest: "{{ carbon_collect_dir }}/{{ inventory_hostname }}/{{ item.path }}"
        flat: true
        fail_on_missing: false
      loop: "{{ carbon_files }}"
      loop_control:
        label: "{{ item.path }}"
"""
