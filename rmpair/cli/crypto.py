"""``rmpair encrypt``: encrypt the journal's shared folder, or tell how far that got."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rmpair.cli._common import options, print_json
from rmpair.i18n import _, ngettext

app = typer.Typer()


@app.command()
def encrypt(
    status: Annotated[
        bool,
        typer.Option(
            "--status",
            help=_(
                "Only tell whether the journal is encrypted and which devices' files are "
                "still plain; asks for no passphrase and changes nothing."
            ),
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))] = False,
) -> None:
    """Encrypt the journal's files in the shared folder with a passphrase you both know.

    Converts this device's files now; your partner's device converts its own the next
    time it opens the journal with the passphrase. Running it again finishes a
    conversion that was interrupted.
    """
    from rmpair.encryption import encrypt_journal, encryption_report
    from rmpair.journal import Journal
    from rmpair.store.crypto import StandardSource, no_passphrase

    if status:
        # Reading which files are encrypted needs no key: ask nothing, write nothing.
        journal = Journal.open(
            options.journal, write=False, passphrase=no_passphrase, clock=options.clock
        )
        try:
            report = encryption_report(journal.records)
        finally:
            journal.close()
        _show(report, as_json, converted=None)
        return
    source = StandardSource()
    journal = Journal.open(options.journal, passphrase=source, clock=options.clock)
    try:
        from rmpair.cli._progress import progress

        try:
            converted = encrypt_journal(journal.records, converting=progress(_("Encrypting")))
        except OSError as exc:
            raise _failed(exc) from exc
        report = encryption_report(journal.records)
    finally:
        journal.close()
    _show(report, as_json, converted=converted)
    if not as_json and (converted or source.kept is not None):
        typer.echo(source.summary())


def _failed(exc: OSError) -> Exception:
    from rmpair.errors import UserError

    return UserError(
        _(
            "Encrypting stopped half-way ({error}). Every file is still readable; run "
            "'rmpair encrypt' again to finish."
        ).format(error=exc.strerror or exc)
    )


def _who(device: dict[str, Any]) -> str:
    person = device["person"] or _("an unknown device")
    label = device["label"] or "?"
    return _("{person} on {label} [{device}]").format(
        person=person, label=label, device=device["device"]
    )


def _show(report: dict[str, Any], as_json: bool, *, converted: int | None) -> None:
    if as_json:
        print_json(report)
        return
    out: list[str] = []
    if converted:
        out.append(
            ngettext(
                "This journal is encrypted: {n} of this device's files was encrypted now.",
                "This journal is encrypted: {n} of this device's files were encrypted now.",
                converted,
            ).format(n=converted)
        )
    elif converted == 0:
        out.append(_("This journal is encrypted; nothing was left to encrypt on this device."))
    elif report["encrypted"]:
        out.append(_("This journal is encrypted."))
    else:
        out.append(_("This journal is not encrypted. 'rmpair encrypt' encrypts it."))
    for device in report["devices"]:
        plain, encrypted = device["plain_files"], device["encrypted_files"]
        if not plain and not encrypted:
            line = _("  {who}: no files in the shared folder").format(who=_who(device))
        elif not report["encrypted"]:
            line = ngettext(
                "  {who}: {n} file, not encrypted", "  {who}: {n} files, not encrypted", len(plain)
            ).format(who=_who(device), n=len(plain))
        elif not plain:
            line = ngettext(
                "  {who}: its {n} file is encrypted", "  {who}: all {n} files encrypted", encrypted
            ).format(who=_who(device), n=encrypted)
        else:
            line = ngettext(
                "  {who}: {n} file still plain: {files}",
                "  {who}: {n} files still plain: {files}",
                len(plain),
            ).format(who=_who(device), n=len(plain), files=", ".join(plain))
        out.append(line)
    if report["encrypted"]:
        waiting = [d for d in report["devices"] if d["plain_files"] and not d["this_device"]]
        for device in waiting:
            out.append(
                _(
                    "{person}'s device encrypts its files the next time it opens the journal "
                    "with the passphrase."
                ).format(person=device["person"] or device["device"])
            )
        mine = [d for d in report["devices"] if d["plain_files"] and d["this_device"]]
        if mine:
            out.append(_("Run 'rmpair encrypt' to encrypt this device's remaining files."))
        if report["kdf"]:
            kdf = report["kdf"]
            out.append(
                _("Key: {kdf} (N={n}, r={r}, p={p}); cipher: {cipher}.").format(
                    kdf=kdf["name"], n=kdf["n"], r=kdf["r"], p=kdf["p"], cipher=report["cipher"]
                )
            )
    typer.echo("\n".join(out))
