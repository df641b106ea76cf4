"""Link stage: documents that certify or translate another one take what they vouch for."""

from __future__ import annotations

import dataclasses

from pipeline.model import PUBLIC_DOCUMENT_TYPES, DocType, Document
from pipeline.work import DossierWork


def link_apostilles(documents: list[Document]) -> list[Document]:
    """A certificate followed by its apostille in the same file takes the apostille's field 1 as
    issuing country when its own heading did not name one (Hague model certificate, field 1)."""
    linked = list(documents)
    for index, doc in enumerate(linked):
        if doc.type != DocType.APOSTILLE or "issuing_country" not in doc.fields:
            continue
        for back in range(index - 1, -1, -1):
            target = linked[back]
            if target.file != doc.file or target.type in (DocType.APOSTILLE, DocType.TRANSLATION):
                continue
            if target.type in PUBLIC_DOCUMENT_TYPES and "issuing_country" not in target.fields:
                country = dataclasses.replace(doc.fields["issuing_country"], confidence=0.8)
                linked[back] = dataclasses.replace(target, fields={**target.fields, "issuing_country": country})
            break
    return linked


def link_documents(work: DossierWork) -> DossierWork:
    """Dossier stage: link apostilles to the certificates they follow."""
    return work.replace_documents(link_apostilles(list(work.documents)))
