"""Beat tasks: seal fresh audit entries every few seconds, verify the chain daily."""

from celery import shared_task

from apps.audit.chain import seal
from apps.audit.services import verification_run


@shared_task
def seal_audit_chain() -> int:
    return seal()


@shared_task
def verify_audit_chain() -> dict[str, object]:
    result = verification_run(triggered_by="beat")
    return {"intact": result.intact, "records": result.records, "problem": result.problem}
