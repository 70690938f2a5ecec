"""Document export: PDF building, signing and verification. No Qt, no storage.

Services fill the plain descriptions in :mod:`casedesk.domain.documents` and call:

- :func:`casedesk.export.plan_pdf.build_plan_pdf` -> ``BuiltPlanPdf`` (bytes, layout, hashes)
- :func:`casedesk.export.signature_images.place_signature_images` (drawn signatures, PNG)
- :func:`casedesk.export.signing.generate_self_signed_identity` /
  :func:`~casedesk.export.signing.load_signing_identity` /
  :func:`~casedesk.export.signing.sign_plan_pdf`
- :func:`casedesk.export.verify.verify_plan_pdf` -> ``VerificationResult`` (every signature in
  every revision; :func:`~casedesk.export.verify.with_vault_match` adds what a vault knows)
- :func:`casedesk.export.assessment_pdf.build_assessment_pdf`
- :func:`casedesk.export.content_hash.parse_qr_payload` (QR text -> version id, content hash)

Submodules are imported on demand (pyHanko is slow to import), so this package imports nothing.
See docs/EXPORT.md for the design decisions.
"""
