"""The Markdown the benchmark prints: where it ran, the table, and the targets of SPEC §7."""

import platform
from datetime import datetime
from importlib.metadata import version

from django.conf import settings

from bench.measure import BASELINE, FLOOR, KNOX, PORTAL, PORTAL_REQUEST, Result


def _database(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (temporary file)"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]} (database {connection.settings_dict['NAME']})"


def environment(connection, cpu: str, sizes, args, when: datetime, command: str) -> str:
    versions = ", ".join(
        f"{package} {version(package)}"
        for package in ("Django", "djangorestframework", "django-rest-knox")
    )
    return "\n".join(
        [
            f"- date: {when:%Y-%m-%d %H:%M} UTC",
            f"- machine: {cpu}; Python {platform.python_version()}; {versions}",
            f"- database: {_database(connection)}",
            f"- cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}",
            f"- sizes: {', '.join(f'{s:,}' for s in sizes)} tokens per contender; "
            f"{args.rounds} interleaved rounds of {args.sample} tokens; medians",
            f"- command: `{command}`",
        ]
    )


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def table(results: dict[int, dict[str, Result]]) -> str:
    sizes = list(results)
    first, last = sizes[0], sizes[-1]
    head = (
        ["contender"]
        + [f"µs @ {s:,} (× floor)" for s in sizes]
        + ["queries", "writes"]
        + [f"growth {first:,} → {s:,}" for s in sizes[1:]]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, base in BASELINE.items():
        cells = [name]
        for size in sizes:
            result = results[size][name]
            cells.append(f"{result.micros:.1f} ({result.ratio(results[size][base]):.2f}×)")
        cells += [_number(results[last][name].queries), _number(results[last][name].writes)]
        cells += [f"{results[s][name].ratio(results[first][name]):.2f}×" for s in sizes[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(results: dict[int, dict[str, Result]]) -> str:
    sizes = list(results)
    first, last = sizes[0], sizes[-1]
    at = results[last]
    to_floor, knox = at[PORTAL].ratio(at[FLOOR]), at[KNOX].ratio(at[PORTAL])
    growth = at[PORTAL].ratio(results[first][PORTAL])
    checks = [
        (f"token-portal ≤ 1.0× the floor at {last:,}", to_floor <= 1.0, f"{to_floor:.2f}×"),
        (f"≥ 1.5× faster than knox at {last:,}", knox >= 1.5, f"{knox:.2f}×"),
        (
            "one query, no write per request",
            at[PORTAL].queries == 1 == at[PORTAL_REQUEST].queries
            and at[PORTAL].writes == 0 == at[PORTAL_REQUEST].writes,
            f"{_number(at[PORTAL_REQUEST].queries)} query, "
            f"{_number(at[PORTAL_REQUEST].writes)} write",
        ),
        (f"≤ 1.1× growth {first:,} → {last:,}", growth <= 1.1, f"{growth:.2f}×"),
    ]
    return "\n".join(
        f"- {'met' if ok else 'MISSED'}: {label} ({value})" for label, ok, value in checks
    )
