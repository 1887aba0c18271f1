"""PHI governance: the catalog, PHI columns, classification, the masked
export, the PHI access log and ETL lineage."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter
from litestar.plugins.problem_details import ProblemDetailsException

from engine.governance.export import ExportPathError
from engine.governance.masking import MaskingError
from engine.service import Engine
from engine.store.governance import ColumnNotFound
from warroom.api.auth import TOKEN_SECURITY
from warroom.api.errors import PROBLEM_TYPE, problem_responses
from warroom.api.schemas.common import (
    PROBLEM_MEDIA_TYPE,
    EmptyIn,
    Problem,
    StrictBody,
    parse_body,
)
from warroom.api.schemas.governance import (
    CatalogOut,
    ClassifyIn,
    ColumnOut,
    LineageOut,
    MaskExportIn,
    MaskExportOut,
    PatientAccessOut,
    PatientReadsOut,
    PhiColumnsOut,
    ScanOut,
    UserReadsOut,
    change_out,
    column_out,
    export_out,
    lineage_out,
    patient_access_out,
    patient_reads_out,
    scan_out,
    user_reads_out,
)

Hours = Annotated[
    float,
    QueryParameter(gt=0, le=24 * 366, description="Window in hours, up to now."),
]
MaxRows = Annotated[
    int, QueryParameter(ge=1, le=1000, description="Maximum rows returned.")
]


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        description=description,
        generate_examples=False,
    )


_EXPORT_ERRORS = {
    **problem_responses(400, 401, 403, 415, 503),
    409: _spec(
        "The mask rules in governance.masking cannot apply: a hash rule without "
        "governance.hash_secret, or a rule on a column the export lacks."
    ),
}
_CLASSIFY_ERRORS = {
    **problem_responses(400, 401, 403, 415),
    404: _spec("The column is not in the last catalog scan."),
}


def _problem(status: int, slug: str, title: str, detail: str) -> Exception:
    return ProblemDetailsException(
        status_code=status, type_=f"{PROBLEM_TYPE}{slug}", title=title, detail=detail
    )


class GovernanceController(Controller):
    path = "/governance"
    tags = ["governance"]

    @get("/catalog", responses=problem_responses(403))
    async def catalog(self, engine: NamedDependency[Engine]) -> CatalogOut:
        """Return every table column of the last catalog scan with the
        classifier's category, confidence and reason and the accepted
        classification, and the newest columns added or dropped between
        scans."""
        return CatalogOut(
            scan=scan_out(engine.last_catalog_scan()),
            columns=[column_out(entry) for entry in engine.catalog()],
            changes=[change_out(change) for change in engine.catalog_changes()],
        )

    @get("/catalog/phi", responses=problem_responses(403))
    async def phi(self, engine: NamedDependency[Engine]) -> PhiColumnsOut:
        """Return the columns that look like PHI (at or above
        governance.min_confidence) or are classified as PHI. Each one that
        looks like PHI and has no classification is an open governance
        finding."""
        columns = engine.phi_columns()
        return PhiColumnsOut(
            scan=scan_out(engine.last_catalog_scan()),
            min_confidence=engine.config.warroom.governance.min_confidence,
            unclassified=len(engine.governance.findings),
            columns=[column_out(entry) for entry in columns],
        )

    @post(
        "/catalog/scan",
        status_code=200,
        responses=problem_responses(400, 401, 403, 415, 503),
        security=TOKEN_SECURITY,
    )
    async def scan(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        data: StrictBody[EmptyIn | None] = None,
    ) -> ScanOut:
        """Scan the target's INFORMATION_SCHEMA now, classify every column
        from its name and sampled values, and return the scan with its added
        and dropped columns. The body, if any, must be an empty object."""
        parse_body(data, EmptyIn | None)
        record = await engine.scan_catalog(actor)
        out = scan_out(record)
        assert out is not None
        return out

    @post(
        "/catalog/classify",
        status_code=200,
        responses=_CLASSIFY_ERRORS,
        security=TOKEN_SECURITY,
    )
    async def classify(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        data: StrictBody[ClassifyIn],
    ) -> ColumnOut:
        """Record the classification of one column under the request's actor.
        A PHI column classified (as PHI or as none) no longer opens a
        governance finding."""
        body = parse_body(data, ClassifyIn)
        try:
            engine.classify_column(
                body.table, body.column, body.category, actor, body.reason
            )
        except ColumnNotFound as error:
            detail = str(error)
            raise _problem(
                404, "column-not-found", "Column not found", detail
            ) from None
        except ValueError as error:
            detail = str(error)
            raise _problem(400, "invalid-request", "Invalid request", detail) from None
        schema, _, table = body.table.partition(".")
        entry = next(
            entry
            for entry in engine.catalog()
            if entry.column.key == (schema, table, body.column)
        )
        return column_out(entry)

    @post(
        "/mask-export",
        status_code=200,
        responses=_EXPORT_ERRORS,
        security=TOKEN_SECURITY,
    )
    async def mask_export(
        self,
        engine: NamedDependency[Engine],
        actor: NamedDependency[str],
        data: StrictBody[MaskExportIn],
    ) -> MaskExportOut:
        """Write healthcare.patients, masked by governance.masking, as CSV or
        JSON to a new file (mode 0600) in the exports folder of the data
        directory, reading governance.export_batch_rows rows at a time. A
        relative path is taken from that folder. A path outside it, with
        another extension than the format's, or one that exists, is rejected
        with 400, checked before the mask rules."""
        body = parse_body(data, MaskExportIn)
        try:
            result = await engine.export_masked_patients(body.format, body.path, actor)
        except ExportPathError as error:
            detail = str(error)
            raise _problem(
                400, "export-path-invalid", "Invalid export path", detail
            ) from None
        except MaskingError as error:
            detail = str(error)
            raise _problem(
                409, "masking-invalid", "Mask rules unusable", detail
            ) from None
        return export_out(result)

    @get("/access/users", responses=problem_responses(400, 403, 503))
    async def access_users(
        self, engine: NamedDependency[Engine], hours: Hours = 24.0, limit: MaxRows = 100
    ) -> list[UserReadsOut]:
        """Return each user's reads of patient records in the PHI access log
        over the last ``hours``, most reads first."""
        reads = await engine.phi_reads_by_user(hours, limit)
        return [user_reads_out(item) for item in reads]

    @get(
        "/access/users/{user_name:str}/patients",
        responses=problem_responses(400, 403, 503),
    )
    async def access_patients_of_user(
        self,
        engine: NamedDependency[Engine],
        user_name: Annotated[str, PathParameter(min_length=1, max_length=128)],
        hours: Hours = 24.0,
        limit: MaxRows = 100,
    ) -> list[PatientReadsOut]:
        """Return the patients one user read over the last ``hours``, newest
        read first."""
        reads = await engine.phi_patients_of_user(user_name, hours, limit)
        return [patient_reads_out(item) for item in reads]

    @get(
        # Declared str, like the incident routes, so that a patient id that is
        # not an integer is a 400 naming patient_id rather than a bare 404.
        "/access/patients/{patient_id:str}",
        responses=problem_responses(400, 403, 503),
    )
    async def access_readers_of_patient(
        self,
        engine: NamedDependency[Engine],
        patient_id: Annotated[int, PathParameter(ge=1, le=2**63 - 1)],
        hours: Hours = 24.0 * 30,
        limit: MaxRows = 100,
    ) -> list[PatientAccessOut]:
        """Return every read of one patient's record over the last ``hours``
        (30 days unless given), newest first: who, when, how and why."""
        reads = await engine.phi_readers_of_patient(patient_id, hours, limit)
        return [patient_access_out(item) for item in reads]

    @get("/lineage", responses=problem_responses(400, 403, 503))
    async def lineage(
        self, engine: NamedDependency[Engine], limit: MaxRows = 100
    ) -> LineageOut:
        """Return the newest runs of the ETL pipelines from the target's
        healthcare.etl_lineage: source, target, rows read, written and
        rejected, and duration. ``note`` gives where the rows come from, or
        why there are none (the pipelines are not installed or never ran)."""
        return lineage_out(await engine.lineage(limit))
