"""The sandbox gateway: a complete payment institution in miniature, so the flow works with
no bank. It keeps its own book (SandboxTransaction), shows a cashier page, and notifies the
portal with HMAC-SHA256 signed callbacks exactly as a real gateway would; the portal verifies
them like any other. Its secret is SANDBOX_GATEWAY_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from services.errors import PaymentError
from services.models import SandboxTransaction

SIGNATURE_HEADER = "X-Sandbox-Signature"


class SandboxGateway:
    name = "sandbox"

    @staticmethod
    def _key() -> bytes:
        return settings.SANDBOX_GATEWAY_SECRET.encode()

    def sign(self, body: bytes) -> str:
        return hmac.new(self._key(), body, hashlib.sha256).hexdigest()

    def verify(self, *, body: bytes, signature: str) -> dict:
        """The callback's payload if its signature holds; PaymentError otherwise."""
        if not signature or not hmac.compare_digest(self.sign(body), signature):
            raise PaymentError("签名校验失败。", code="bad_signature")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise PaymentError("通知内容不是合法的 JSON。", code="bad_payload") from exc
        if not isinstance(payload, dict) or not {"event_id", "kind", "reference"} <= set(payload):
            raise PaymentError("通知缺少必要字段。", code="bad_payload")
        return payload

    def cashier_url(self, payment) -> str:
        return reverse("services:sandbox-cashier", kwargs={"reference": payment.gateway_reference})

    def charge(self, *, reference: str, amount_fen: int) -> tuple[bytes, str]:
        """The payer confirmed on the cashier page: book the charge once and return the signed
        callback to deliver (body, signature)."""
        self._book(SandboxTransaction.Kind.CHARGE, reference, amount_fen, f"charge:{reference}")
        return self.callback(kind="charge.succeeded", reference=reference, amount_fen=amount_fen)

    def decline(self, *, reference: str, amount_fen: int) -> tuple[bytes, str]:
        return self.callback(kind="charge.failed", reference=reference, amount_fen=amount_fen)

    def refund(self, *, reference: str, amount_fen: int, operation_id: str) -> None:
        """Refund synchronously (the sandbox never refuses a refund it can match)."""
        charged = SandboxTransaction.objects.filter(
            reference=reference, kind=SandboxTransaction.Kind.CHARGE
        ).exists()
        if not charged:
            raise PaymentError("支付渠道中没有这笔扣款，无法退款。", code="refund_unmatched")
        self._book(SandboxTransaction.Kind.REFUND, reference, amount_fen, operation_id)

    def callback(self, *, kind: str, reference: str, amount_fen: int) -> tuple[bytes, str]:
        body = json.dumps(
            {
                "event_id": uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}:{reference}").hex,
                "kind": kind,
                "reference": reference,
                "amount_fen": amount_fen,
            },
            sort_keys=True,
        ).encode()
        return body, self.sign(body)

    @staticmethod
    def _book(kind: str, reference: str, amount_fen: int, operation_id: str) -> None:
        # Idempotent by operation id: a double click on "pay" charges once.
        try:
            with transaction.atomic():
                SandboxTransaction.objects.create(
                    reference=reference,
                    kind=kind,
                    amount_fen=amount_fen,
                    operation_id=operation_id,
                )
        except IntegrityError:
            pass
