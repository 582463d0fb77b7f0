"""``linetwin whatif fit PROJECT --history FILE [--station S] -o MODEL`` and
``linetwin whatif list --history FILE``: fit a station's defect-rate models,
write them, register them in the history (with an audit entry), list them."""

from __future__ import annotations

import getpass
import json
import sys
import time

from linetwin.ui.cli.inputs import load_or_report


def run_whatif_action(args) -> int:
    if args.whatif_action == "list":
        return _list(args)
    return _fit(args)


def _fit(args) -> int:
    from linetwin.io.whatif.model_data import ModelDataError, load_model_data
    from linetwin.io.whatif.model_registry import register_model
    from linetwin.twin.whatif.model_card import card_text, model_card
    from linetwin.twin.whatif.model_fitting import fit_whatif_model

    project = load_or_report(args.project)
    if project is None:
        return 1
    user = _fitter(args.user)
    if user is None:
        return 1
    try:
        table = load_model_data(args.history, project, args.station)
    except ModelDataError as error:
        print(f"linetwin whatif fit: {error}", file=sys.stderr)
        return 1
    print(f"fitting {table.units} units at {table.station} from {args.history.name} "
          f"({table.dropped} left out for a data gap)", file=sys.stderr)
    model = fit_whatif_model(table, time.time(), progress=lambda f, what: print(
        f"linetwin whatif fit: {f:4.0%} {what}", file=sys.stderr))
    try:
        model.write(args.output)
    except OSError as error:
        print(f"linetwin whatif fit: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    register_model(args.history, model, args.output, user)
    print(card_text(model_card(model)))
    print(f"wrote {args.output} (model {model.version}); registered in {args.history}")
    return 0


def _fitter(name: str | None) -> str | None:
    """The LineTwin user who fits, or the OS login marked unattributed (as imports do)."""
    from linetwin.io.training.identities import IdentityError, find_user

    if name is None:
        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = "unknown"
        return f"unattributed (os login {login})"
    try:
        return find_user(name).name
    except IdentityError as error:
        print(f"linetwin whatif fit: {error}", file=sys.stderr)
        return None


def _list(args) -> int:
    from linetwin.io.whatif.model_registry import list_models

    if not args.history.exists():
        print(f"linetwin whatif list: {args.history}: no such history file", file=sys.stderr)
        return 1
    try:
        rows = list_models(args.history)
    except Exception as error:  # noqa: BLE001 - a damaged or foreign file: say so, no traceback
        print(f"linetwin whatif list: {args.history}: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return 0
    if not rows:
        print(f"no what-if models have been fitted on {args.history.name}")
    for row in rows:
        created = time.strftime("%Y-%m-%d %H:%M", time.gmtime(row["created_at"]))
        print(f"{row['version']}\t{row['station']}\t{created} UTC\t{row['units']} units\t"
              f"{row['fitted_by']}\t{row['path']}")
    return 0
