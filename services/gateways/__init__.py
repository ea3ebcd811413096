"""Payment gateways. A gateway takes a pending payment to its cashier, refunds, and tells the
portal what happened through signed callbacks (services.services.payments.callback_receive).

Only the sandbox gateway ships: a city connects its bank or payment institution by adding a
module with the same four functions and naming it in PAYMENT_GATEWAY.
"""

from __future__ import annotations

from typing import Protocol


class Gateway(Protocol):
    name: str

    def cashier_url(self, payment) -> str: ...

    def refund(self, *, reference: str, amount_fen: int, operation_id: str) -> None: ...

    def verify(self, *, body: bytes, signature: str) -> dict: ...

    def sign(self, body: bytes) -> str: ...


def get_gateway(name: str = "sandbox") -> Gateway:
    if name == "sandbox":
        from services.gateways import sandbox

        return sandbox.SandboxGateway()
    raise LookupError(f"unknown payment gateway {name!r}")
