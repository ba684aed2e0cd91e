"""`mfgsync bench NAME`: runs bench/NAME.py, which prints each figure beside its same-run baseline."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import typer

from mfgsync.cli.output import fail


def bench_dir() -> Path:
    """The benchmarks folder: $MFGSYNC_BENCH_DIR, the source checkout's bench/, or ./bench."""
    if os.environ.get("MFGSYNC_BENCH_DIR"):
        return Path(os.environ["MFGSYNC_BENCH_DIR"])
    checkout = Path(__file__).resolve().parents[3] / "bench"
    return checkout if checkout.is_dir() else Path.cwd() / "bench"


def available() -> list[str]:
    return sorted(p.stem for p in bench_dir().glob("*.py") if not p.stem.startswith("_"))


def register(app: typer.Typer) -> None:
    # No help option of its own: `mfgsync bench NAME --help` reaches the benchmark's parser.
    @app.command("bench", add_help_option=False,
                 context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def bench(ctx: typer.Context,
              name: str = typer.Argument("--help", show_default=False, help="benchmark name, e.g. pipeline")) -> None:
        """Run a benchmark; it prints each figure beside a baseline measured in the same run."""
        if name in ("--help", "-h"):
            typer.echo(ctx.get_help())
            typer.echo(f"\nAvailable: {', '.join(available()) or 'none'}; "
                       "`mfgsync bench NAME --help` lists a benchmark's options.")
            raise typer.Exit()
        path = bench_dir() / f"{name}.py"
        if not path.is_file():
            fail(f"no benchmark {name!r}; available: {', '.join(available()) or 'none'}", "UNKNOWN_BENCHMARK")
        sys.path.insert(0, str(path.parent))  # so a benchmark can import bench/_report.py
        spec = importlib.util.spec_from_file_location(f"mfgsync_bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main(list(ctx.args))
