"""Rule families: each module holds one family, a pure function ``check(project) -> Iterator[Finding]``;
``catalogue`` lists every rule as data. The engine decides which families run (engine.rule_families)."""
