"""The isolation matrix as measured on the wire: for each (source, destination, port) of an
environment's flow matrix, the contract's verdict, the evaluator's over the rendered policies, and
what a connection from a pod wearing the source's labels really met. The deploy layer measures it
once after a deploy settles (deploy/node/wire_matrix.py); `networkpolicy.wire` judges it."""

from __future__ import annotations

from dataclasses import dataclass

OPEN = "open"


@dataclass(frozen=True)
class WireRow:
    source: str
    target: str
    port: int
    protocol: str
    intended: bool  # the contract (policy/intended-flows.yaml) allows it
    evaluated: bool  # the evaluator allows it over the rendered NetworkPolicies
    measured: str  # OPEN, or what the connection met ("ConnectionRefusedError", "timeout", ...)

    @property
    def flow(self) -> str:
        return f"{self.source} -> {self.target}:{self.port}/{self.protocol}"

    @property
    def opened(self) -> bool:
        return self.measured == OPEN


@dataclass(frozen=True)
class WireMatrix:
    rows: tuple[WireRow, ...] = ()
    # pairs of the flow matrix nobody dialled: an address outside the machine, or no Ready pod behind it
    unmeasured: tuple[str, ...] = ()
    # why nothing was measured ("" when it was): the check skips with this sentence
    not_measured: str = ""

    def lines(self) -> list[str]:
        """The three matrices side by side, one row per measured pair."""
        table = [f"{'source':>15} -> {'destination':<26} {'intended':<9} {'evaluator':<10} wire"]
        for row in sorted(self.rows, key=lambda r: (r.source, r.target, r.port, r.protocol)):
            table.append(f"{row.source:>15} -> {row.target + ':' + str(row.port) + '/' + row.protocol:<26} "
                         f"{'allow' if row.intended else 'deny':<9} {'allow' if row.evaluated else 'deny':<10} "
                         f"{row.measured}")
        return table + [f"not measured ({len(self.unmeasured)}): " + "; ".join(self.unmeasured)]
