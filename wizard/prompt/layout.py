"""The Registry layout step: shared or split, and each product's config partition.

It comes before the Database step, which then asks for the databases the layout implies."""

from __future__ import annotations

from questionary import Choice

from wizard.prompt.asking import CONTINUE, Asking, checker
from wizard.questions import CONFIG_TARGET, LAYOUTS


class LayoutStep(Asking):
    def step_layout(self) -> str:
        self.header("layout")
        self.ask_layout()
        while True:
            left = self.settle("layout")
            self.show_layout()
            split = self.get("database.layout") == "split"
            actions = [
                Choice("Change the layout", "layout"),
                Choice("Change a product's config partition", "target"),
            ]
            if split:
                actions.append(Choice("Give a product its own config database", "own"))
                if any(p.get("config_database") is not None for p in self.products()):
                    actions.append(
                        Choice("Let a product use the shared config database again", "common")
                    )
            action = self.menu("Registry layout", actions)
            if action == CONTINUE:
                if self.done("layout", left):
                    return "database"
            elif action == "layout":
                self.ask_layout()
            elif action == "target":
                self.ask_config_target(self.pick_product("Which product?"))
            elif action == "own":
                self.draft.set_own_config_database(self.pick_product("Which product?"), True)
            elif action == "common":
                self.draft.set_own_config_database(self.pick_product("Which product?"), False)

    def ask_layout(self) -> None:
        """Ask shared or split. A database the switch creates is made from the one it
        replaces (user and password kept) and is named on the Database step, next."""
        current = self.get("database.layout", "shared")
        chosen = self.select("Registry layout:", [Choice(t, k) for k, t in LAYOUTS], current)
        if chosen == current:
            return
        if chosen == "shared":
            for product in self.products():
                if isinstance(product.get("config_database"), dict):
                    self.say(
                        f"{self.product_label(product)} now keeps its config in the registry "
                        "database"
                    )
        self.draft.touched.add("database.layout")
        self.draft.set_layout(chosen)

    def ask_config_target(self, pi: int) -> None:
        from wizard.catalog import default_config_target
        from wizard.fields import check_registry_path

        product = self.products()[pi]
        default = default_config_target(str(product.get("id")), product.get("profile"))
        value = self.text(
            CONFIG_TARGET.ask(product=self.product_name(product)),
            default=str(product.get("config_target", default)),
            validate=checker(check_registry_path),
            keep_refused=True,  # a registry path: a slip in one segment is mended in place
        )
        if value == default and "config_target" not in product:
            return
        self.give(f"products[{pi}].config_target", value)

    def show_layout(self) -> None:
        from wizard.catalog import default_config_target

        layout = self.get("database.layout", "shared")
        if layout == "shared":
            self.say("shared: config and governance registry both in " + self.held("registry"))
        else:
            self.say("split: governance registry in " + self.held("governance"))
        for pi, product in enumerate(self.products()):
            target = product.get("config_target") or default_config_target(
                str(product.get("id")), product.get("profile")
            )
            if layout == "split" and isinstance(product.get("config_database"), dict):
                where = self.spec_summary(f"products[{pi}].config_database")
            elif layout == "split":
                where = self.held("config")
            else:
                where = "the registry database"
            self.say(f"  {self.product_label(product)}: config partition {target} in {where}")

    def held(self, role: str) -> str:
        """The registry database of `role` as given, or its suggested name before the
        Database step has asked for it."""
        path = f"database.{role}"
        if isinstance(self.get(path), dict):
            return self.spec_summary(path)
        return f"{self.role_defaults(role)[1]} (named on the Database step)"
