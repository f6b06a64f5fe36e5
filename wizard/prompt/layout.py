"""Step 5: the registry layout (shared or split) and each product's config partition."""

from __future__ import annotations

from questionary import Choice

from wizard.prompt.asking import CONTINUE, Asking, checker
from wizard.questions import CONFIG_TARGET, LAYOUTS


class LayoutStep(Asking):
    def step_layout(self) -> str:
        self.header("layout")
        created = self.ask_layout()
        while True:
            left = self.settle("layout", also=created)
            self.show_layout()
            split = self.get("database.layout") == "split"
            actions = [
                Choice("Change the layout", "layout"),
                Choice("Change a product's config partition", "target"),
            ]
            if split:
                actions.append(Choice("Give a product its own config database", "own"))
                if any(p.get("config_database") is not None for p in self.products()):
                    actions.append(Choice("Let a product use [database.config] again", "common"))
            action = self.menu("Registry layout", actions)
            if action == CONTINUE:
                if self.done("layout", left):
                    return "preview"
            elif action == "layout":
                created = self.ask_layout()
            elif action == "target":
                self.ask_config_target(self.pick_product("Which product?"))
            elif action == "own":
                pi = self.pick_product("Which product?")
                created = [self.add_config_database(pi)]
            elif action == "common":
                pi = self.pick_product("Which product?")
                self.draft.set_own_config_database(pi, False)
                if not isinstance(self.get("database.config"), dict):
                    self.ask_spec("database.config", *self.role_defaults("config"))
                    created = ["database.config"]

    def ask_layout(self) -> list[str]:
        """Ask shared or split; returns the database paths that switching created, each
        asked for (from the database it replaces: its user and password kept)."""
        current = self.get("database.layout", "shared")
        chosen = self.select("Registry layout:", [Choice(t, k) for k, t in LAYOUTS], current)
        if chosen == current:
            return []
        if chosen == "shared":
            for product in self.products():
                if isinstance(product.get("config_database"), dict):
                    self.say(
                        f"{self.product_label(product)} now keeps its config in the registry "
                        "database"
                    )
        self.draft.touched.add("database.layout")
        created = self.draft.set_layout(chosen)
        slots = self.draft.spec_slots(roles_only=True)
        created += self.draft.ensure_specs(slots)
        for slot in slots:
            if slot.path in created:
                self.ask_spec(slot.path, slot.label, slot.name, slot.user)
        return created

    def add_config_database(self, pi: int) -> str:
        path = f"products[{pi}].config_database"
        self.draft.set_own_config_database(pi, True)
        slot = self.draft.config_database_slot(pi)
        self.ask_spec(path, slot.label, slot.name, slot.user)
        return path

    def ask_config_target(self, pi: int) -> None:
        from wizard.catalog import default_config_target
        from wizard.fields import check_registry_path

        product = self.products()[pi]
        default = default_config_target(str(product.get("id")), product.get("profile"))
        value = self.text(
            CONFIG_TARGET.ask(product=self.product_label(product)),
            default=str(product.get("config_target", default)),
            validate=checker(check_registry_path),
        )
        if value == default and "config_target" not in product:
            return
        self.give(f"products[{pi}].config_target", value)

    def show_layout(self) -> None:
        from wizard.catalog import default_config_target

        layout = self.get("database.layout", "shared")
        if layout == "shared":
            self.say(
                "shared: config and governance registry both in "
                + self.spec_summary("database.registry")
            )
        else:
            self.say("split: governance registry in " + self.spec_summary("database.governance"))
        for pi, product in enumerate(self.products()):
            target = product.get("config_target") or default_config_target(
                str(product.get("id")), product.get("profile")
            )
            if layout == "split" and isinstance(product.get("config_database"), dict):
                where = self.spec_summary(f"products[{pi}].config_database")
            elif layout == "split":
                where = self.spec_summary("database.config")
            else:
                where = "the registry database"
            self.say(f"  {self.product_label(product)}: config partition {target} in {where}")
