#!/usr/bin/env python3
"""generate.py - writes the care samples (claims and their invoices) in this folder.

The samples are generated so that every amount is computed once, here, by the
contract's own formulas: gross = DRG price + outlier (care time) + outlier
(cost) + patient-specific totals - outpatient fee paid; net = gross + charge -
allowance - discount; payable = sum of net.  Edit this file, not the XML, and
run it again:  python3 samples/care/generate.py

All data is synthetic.  Every patient is born 1912-12-12 and carries a test
personnummer of the Skatteverket 19121212-1212 kind (Luhn-valid, checked
below); the samordningsnummer is the same date with day + 60.  Sellers and
buyers are regions with their public organisation numbers; the care units,
contacts, referrals and codes are invented.
"""
import base64
import os
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))

OID_PNR = "1.2.752.129.2.1.3.1"
OID_SNR = "1.2.752.129.2.1.3.3"
OID_ORG = "1.3.7"
OID_HSA = "1.2.752.129.2.1.4.1"

REGIONS = {
    "uppsala": ("2321000024", "Region Uppsala"),
    "orebro": ("2321000164", "Region Örebro län"),
    "sormland": ("2321000032", "Region Sörmland"),
    "vastmanland": ("2321000172", "Region Västmanland"),
}


def luhn_ok(digits):
    s = 0
    for i, c in enumerate(digits):
        v = int(c) * (2 if i % 2 == 0 else 1)
        s += v - 9 if v > 9 else v
    return s % 10 == 0


def check_pnr(pnr):
    assert len(pnr) == 12 and pnr.isdigit(), pnr
    assert luhn_ok(pnr[2:]), "not Luhn-valid: " + pnr


def money(d):
    return "%.2f" % d


def amount(tag, value, ind):
    return (f"{ind}<c:{tag}>\n{ind}  <c:amount>{money(value)}</c:amount>\n"
            f"{ind}  <c:currency>\n{ind}    <c:code>SEK</c:code>\n"
            f"{ind}    <c:codeSystem>1.0.4217</c:codeSystem>\n{ind}  </c:currency>\n"
            f"{ind}</c:{tag}>\n")


def cv(tag, code, system, ind, display=None):
    s = f"{ind}<c:{tag}>\n{ind}  <c:code>{code}</c:code>\n"
    if system:
        s += f"{ind}  <c:codeSystem>{system}</c:codeSystem>\n"
    if display:
        s += f"{ind}  <c:displayName>{display}</c:displayName>\n"
    return s + f"{ind}</c:{tag}>\n"


def ii(tag, root, ext, ind):
    return (f"{ind}<c:{tag}>\n{ind}  <c:root>{root}</c:root>\n"
            f"{ind}  <c:extension>{ext}</c:extension>\n{ind}</c:{tag}>\n")


def line_amounts(ln):
    """gross and net of a line by the contract's formulas"""
    gross = Decimal(0)
    if "drg" in ln:
        gross += Decimal(ln["drg"][1])
    gross += Decimal(ln.get("outlier_time", 0)) + Decimal(ln.get("outlier_cost", 0))
    for _code, _name, n, price in ln.get("psc", []):
        gross += n * Decimal(price)
    gross -= Decimal(ln.get("fee_paid", 0))
    net = (gross + Decimal(ln.get("charge", 0)) - Decimal(ln.get("allowance", 0))
           - Decimal(ln.get("discount", 0)))
    return gross, net


def line_xml(ln, seller_org, ind):
    i2 = ind + "  "
    i3 = i2 + "  "
    i4 = i3 + "  "
    s = f"{ind}<c:healthcarePerformed>\n{i2}<c:lineId>{ln['id']}</c:lineId>\n"
    if "contact" in ln:
        s += f"{i2}<c:careContactId>{ln['contact']}</c:careContactId>\n"
    if "ref_line" in ln:
        s += f"{i2}<c:referenceToLineId>{ln['ref_line']}</c:referenceToLineId>\n"
        s += f"{i2}<c:reasonForCredit>{ln['reason']}</c:reasonForCredit>\n"
    if "agreement" in ln:
        s += f"{i2}<c:paymentCommitment>\n"
        if "referral" in ln:
            s += f"{i3}<c:remittanceNumber>{ln['referral']}</c:remittanceNumber>\n"
            s += f"{i3}<c:paymentCommitmentNumber>BF-{ln['referral']}</c:paymentCommitmentNumber>\n"
        s += f"{i3}<c:typeOfAgreement>{ln['agreement']}</c:typeOfAgreement>\n"
        if "chapter" in ln:
            s += f"{i3}<c:typeOfChapter>{ln['chapter']}</c:typeOfChapter>\n"
        s += f"{i3}<c:typeOfReimbursement>1</c:typeOfReimbursement>\n"
        s += f"{i2}</c:paymentCommitment>\n"
    inpatient = ln["care"] == "02"
    s += f"{i2}<c:healthcareCategory>\n"
    s += cv("typeOfCare", ln["care"], "1.2.752.29.4.16", i3,
            "Slutenvård" if inpatient else "Öppenvård")
    s += f"{i3}<c:publicCare>{'false' if ln.get('private') else 'true'}</c:publicCare>\n"
    s += f"{i3}<c:plannedHealthcare>{'true' if ln.get('planned', True) else 'false'}</c:plannedHealthcare>\n"
    if not inpatient:
        s += f"{i3}<c:typeOfVisit>{ln.get('visit_type', '1')}</c:typeOfVisit>\n"
    s += f"{i2}</c:healthcareCategory>\n{i2}<c:timespan>\n"
    s += f"{i3}<c:healthcareVisitDateTime>\n{i4}<c:careVisitDate>{ln['visit']}</c:careVisitDate>\n"
    s += f"{i4}<c:careVisitTime>{ln.get('visit_time', '091500')}</c:careVisitTime>\n"
    s += f"{i3}</c:healthcareVisitDateTime>\n"
    if "discharge" in ln:
        s += f"{i3}<c:healthcareDischargeDateTime>\n"
        s += f"{i4}<c:careDischargeDate>{ln['discharge']}</c:careDischargeDate>\n"
        s += f"{i3}</c:healthcareDischargeDateTime>\n"
    if "days" in ln:
        s += f"{i3}<c:numberOfDays>\n{i4}<c:inCare>{ln['days']}</c:inCare>\n{i3}</c:numberOfDays>\n"
    s += f"{i2}</c:timespan>\n{i2}<c:healthcareUnit>\n"
    s += ii("careUnitId", OID_HSA, f"SE{seller_org}-{ln['unit'][0]}", i3)
    s += f"{i3}<c:careUnitName>{ln['unit'][1]}</c:careUnitName>\n"
    if not inpatient:
        s += f"{i3}<c:professionCodeForHealthcare>{ln.get('profession', 'LK')}</c:professionCodeForHealthcare>\n"
    s += f"{i2}</c:healthcareUnit>\n{i2}<c:categorization>\n"
    s += f"{i3}<c:productCategory>{'02' if 'drg' in ln else '03'}</c:productCategory>\n"
    if "price_list" in ln:
        s += f"{i3}<c:priceList>{ln['price_list']}</c:priceList>\n"
    if "drg" in ln:
        s += f"{i3}<c:DRGCost>\n{i4}<c:DRGCode>\n{i4}  <c:originalText>{ln['drg'][0]}</c:originalText>\n{i4}</c:DRGCode>\n"
        s += amount("DRGPrice", Decimal(ln["drg"][1]), i4)
        if ln.get("outlier_time"):
            s += amount("extendedAllowanceCareTime", Decimal(ln["outlier_time"]), i4)
        if ln.get("outlier_cost"):
            s += amount("extendedAllowanceCost", Decimal(ln["outlier_cost"]), i4)
        s += f"{i3}</c:DRGCost>\n"
    for code, name, n, price in ln.get("psc", []):
        s += f"{i3}<c:patientSpecificCare>\n"
        s += f"{i4}<c:patientSpecificCareCode>{code}</c:patientSpecificCareCode>\n"
        s += f"{i4}<c:patientSpecificCareCodeName>{name}</c:patientSpecificCareCodeName>\n"
        s += f"{i4}<c:numberOfPatientSpecificCare>{n}</c:numberOfPatientSpecificCare>\n"
        s += amount("patientSpecificCarePrice", Decimal(price), i4)
        s += amount("patientSpecificCareTotalAmount", n * Decimal(price), i4)
        s += f"{i3}</c:patientSpecificCare>\n"
    s += f"{i2}</c:categorization>\n{i2}<c:invoicedAmountDetails>\n"
    gross, net = line_amounts(ln)
    s += amount("patientCareInvoiceGrossAmount", gross, i3)
    s += amount("patientCareInvoiceNetAmount", ln.get("net_override", net), i3)
    for tag, key in (("patientCareAllowance", "allowance"), ("patientCareDiscount", "discount"),
                     ("patientCareCharge", "charge")):
        if ln.get(key):
            s += amount(tag, Decimal(ln[key]), i3)
    if ln.get("fee_paid"):
        s += amount("outPatientCareFee", Decimal(ln["fee_paid"]), i3)
        s += amount("outPatientCareFeePaid", Decimal(ln["fee_paid"]), i3)
        s += f"{i3}<c:patientFreePassCauseIndicator>true</c:patientFreePassCauseIndicator>\n"
    s += f"{i2}</c:invoicedAmountDetails>\n{i2}<c:activity>\n"
    s += f"{i3}<c:medicalFieldCode>{ln.get('field', '101')}</c:medicalFieldCode>\n"
    s += f"{i3}<c:careLevel>{ln.get('level', '3')}</c:careLevel>\n{i2}</c:activity>\n"
    if "dx" in ln:
        kind = "inpatientCareDiagnosis" if inpatient else "outpatientCareDiagnosis"
        s += f"{i2}<c:diagnosis>\n{i3}<c:{kind}>\n{i4}<c:mainDiagnosis>\n"
        s += cv("diagnosisCode", ln["dx"], "1.2.752.116.1.1.1.1.3", i4 + "  ")
        s += f"{i4}</c:mainDiagnosis>\n{i3}</c:{kind}>\n{i2}</c:diagnosis>\n"
    if "kva" in ln:
        s += f"{i2}<c:treatment>\n"
        s += cv("typeOfTreatment", ln["kva"], "1.2.752.116.1.3.2.1.4", i3)
        s += f"{i2}</c:treatment>\n"
    return s + f"{ind}</c:healthcarePerformed>\n"


def claim_xml(cl, soap=False):
    seller_org, seller_name = REGIONS[cl["seller"]]
    buyer_org, _ = REGIONS[cl["buyer"]]
    assert cl["id"].startswith("ZVF" + seller_org) and len(cl["id"]) == 23, cl["id"]
    ind = "    " if soap else "  "
    i2 = ind + "  "
    total = Decimal(0)
    body = ""
    for pat in cl["patients"]:
        check_pnr(pat["pnr"])
        root = OID_SNR if int(pat["pnr"][6:8]) > 60 else OID_PNR
        body += f"{i2}<c:healthCareServicesSpecificationLine>\n{i2}  <c:patientInformation>\n"
        body += ii("patientIdentity", root, pat["pnr"], i2 + "    ")
        body += f"{i2}    <c:patientOtherInformation>\n"
        body += cv("county", pat["county"], "1.2.752.129.2.2.1.18", i2 + "      ")
        body += cv("municipality", pat["municipality"], "1.2.752.129.2.2.1.17", i2 + "      ")
        body += cv("gender", pat["gender"], "1.2.752.129.2.2.1.1", i2 + "      ")
        body += f"{i2}    </c:patientOtherInformation>\n{i2}  </c:patientInformation>\n"
        for ln in pat["lines"]:
            _gross, net = line_amounts(ln)
            total += ln.get("net_override", net)
            body += line_xml(ln, seller_org, i2 + "  ")
        body += f"{i2}</c:healthCareServicesSpecificationLine>\n"
    payable = Decimal(cl.get("payable_override", total))
    s = ""
    s += f"{ind}<claimSpecification>\n"
    s += f"{i2}<c:id>{cl['id']}</c:id>\n{i2}<c:issueDate>{cl['date']}</c:issueDate>\n"
    s += f"{i2}<c:issueTime>{cl.get('time', '101500')}</c:issueTime>\n"
    s += f"{i2}<c:typeOfInvoice>{cl.get('type', '380')}</c:typeOfInvoice>\n"
    if "invoice" in cl:
        s += f"{i2}<c:invoiceId>{cl['invoice']}</c:invoiceId>\n"
        s += f"{i2}<c:invoiceDateOfIssue>{cl['date']}</c:invoiceDateOfIssue>\n"
    if "ref_invoice" in cl:
        s += f"{i2}<c:referenceToInvoice>{cl['ref_invoice']}</c:referenceToInvoice>\n"
        s += f"{i2}<c:referenceToProcessClaimSpecificationId>{cl['ref_claim']}</c:referenceToProcessClaimSpecificationId>\n"
    s += amount("payableAmount", payable, i2)
    s += f"{i2}<c:supplierParty>\n" + ii("identification", OID_ORG, seller_org, i2 + "  ")
    s += f"{i2}  <c:sellerContact>\n{i2}    <c:name>Utomlänsfakturering, {seller_name}</c:name>\n"
    s += f"{i2}    <c:electronicMail>utomlans@{cl['seller']}.example</c:electronicMail>\n"
    s += f"{i2}  </c:sellerContact>\n{i2}</c:supplierParty>\n"
    s += f"{i2}<c:customerParty>\n" + ii("identification", OID_ORG, buyer_org, i2 + "  ")
    s += f"{i2}</c:customerParty>\n"
    s += body + f"{ind}</claimSpecification>\n"
    ns = ('xmlns="urn:riv:financial:billing:claim:ProcessClaimSpecificationResponder:1"\n'
          f'{ind[:-2]}  xmlns:c="urn:riv:financial:billing:claim:1"')
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + f"<!-- {cl['comment']} -->\n"
    head += ("<!-- Synthetic data: invented patients with test personnummer (born 1912-12-12), "
             "invented care units and codes. -->\n")
    if not soap:
        return head + f"<ProcessClaimSpecification {ns}>\n" + s + "</ProcessClaimSpecification>\n", payable
    return (head +
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
            '  <soap:Header>\n'
            f'    <LogicalAddress xmlns="urn:riv:itintegration:registry:1">{buyer_org}</LogicalAddress>\n'
            '  </soap:Header>\n  <soap:Body>\n'
            f"    <ProcessClaimSpecification {ns}>\n" + s +
            "    </ProcessClaimSpecification>\n  </soap:Body>\n</soap:Envelope>\n"), payable


def b64(data):
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def iso(d):
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}"


def ubl_party(role, key):
    org, name = REGIONS[key]
    return f"""  <cac:{role}>
    <cac:Party>
      <cbc:EndpointID schemeID="0007">{org}</cbc:EndpointID>
      <cac:PartyName>
        <cbc:Name>{name}</cbc:Name>
      </cac:PartyName>
      <cac:PostalAddress>
        <cbc:CityName>{ {'uppsala': 'Uppsala', 'orebro': 'Örebro', 'sormland': 'Nyköping', 'vastmanland': 'Västerås'}[key] }</cbc:CityName>
        <cac:Country>
          <cbc:IdentificationCode>SE</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>SE{org}01</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{name}</cbc:RegistrationName>
        <cbc:CompanyID schemeID="0007">{org}</cbc:CompanyID>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:{role}>
"""


def ubl_invoice(inv, claim_doc=None):
    """A PEPPOL BIS 3 invoice or credit note for care: one VAT-exempt line."""
    credit = inv.get("credit", False)
    root = "CreditNote" if credit else "Invoice"
    total = money(Decimal(inv["payable"]))
    s = '<?xml version="1.0" encoding="UTF-8"?>\n' + f"<!-- {inv['comment']} -->\n"
    s += "<!-- Synthetic data: invoices between regions for out-of-county care. -->\n"
    s += f"""<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{inv['number']}</cbc:ID>
  <cbc:IssueDate>{iso(inv['date'])}</cbc:IssueDate>
"""
    if not credit:
        s += f"  <cbc:DueDate>{iso(inv['due'])}</cbc:DueDate>\n  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>\n"
    else:
        s += "  <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>\n"
    s += f"  <cbc:Note>{inv['note']}</cbc:Note>\n"
    s += "  <cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>\n"
    s += f"  <cbc:BuyerReference>{inv.get('buyer_ref', 'UTOMLANS')}</cbc:BuyerReference>\n"
    if credit:
        s += f"""  <cac:BillingReference>
    <cac:InvoiceDocumentReference>
      <cbc:ID>{inv['credits']}</cbc:ID>
    </cac:InvoiceDocumentReference>
  </cac:BillingReference>
"""
    if "claim_id" in inv:
        s += f"  <cac:AdditionalDocumentReference>\n    <cbc:ID>{inv['claim_id']}</cbc:ID>\n"
        s += "    <cbc:DocumentDescription>Fakturaunderlag vård (ProcessClaimSpecification)</cbc:DocumentDescription>\n"
        if claim_doc is not None:
            s += (f'    <cac:Attachment>\n      <cbc:EmbeddedDocumentBinaryObject mimeCode="application/xml" '
                  f'filename="{inv["claim_id"]}.xml">{b64(claim_doc.encode())}</cbc:EmbeddedDocumentBinaryObject>\n'
                  "    </cac:Attachment>\n")
        s += "  </cac:AdditionalDocumentReference>\n"
    s += ubl_party("AccountingSupplierParty", inv["seller"])
    s += ubl_party("AccountingCustomerParty", inv["buyer"])
    pay = f"""  <cac:PaymentMeans>
    <cbc:PaymentMeansCode name="Credit transfer">30</cbc:PaymentMeansCode>
    <cbc:PaymentID>{inv['number']}</cbc:PaymentID>
    <cac:PayeeFinancialAccount>
      <cbc:ID>{inv['bankgiro']}</cbc:ID>
      <cac:FinancialInstitutionBranch>
        <cbc:ID>SE:BANKGIRO</cbc:ID>
      </cac:FinancialInstitutionBranch>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
"""
    if not credit:
        s += pay + "  <cac:PaymentTerms>\n    <cbc:Note>30 dagar netto</cbc:Note>\n  </cac:PaymentTerms>\n"
    s += f"""  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="SEK">0.00</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="SEK">{total}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="SEK">0.00</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>E</cbc:ID>
        <cbc:Percent>0</cbc:Percent>
        <cbc:TaxExemptionReasonCode>VATEX-EU-132-1B</cbc:TaxExemptionReasonCode>
        <cbc:TaxExemptionReason>Sjukvård, undantagen från skatteplikt</cbc:TaxExemptionReason>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="SEK">{total}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="SEK">{total}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="SEK">{total}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="SEK">{total}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
"""
    line = "CreditNoteLine" if credit else "InvoiceLine"
    qty = "CreditedQuantity" if credit else "InvoicedQuantity"
    s += f"""  <cac:{line}>
    <cbc:ID>1</cbc:ID>
    <cbc:{qty} unitCode="C62">1</cbc:{qty}>
    <cbc:LineExtensionAmount currencyID="SEK">{total}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>{inv['line']}</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>E</cbc:ID>
        <cbc:Percent>0</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="SEK">{total}</cbc:PriceAmount>
    </cac:Price>
  </cac:{line}>
</{root}>
"""
    return s


def svefaktura_invoice(inv):
    total = money(Decimal(inv["payable"]))
    seller_org, seller_name = REGIONS[inv["seller"]]
    buyer_org, buyer_name = REGIONS[inv["buyer"]]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {inv['comment']} -->
<!-- Synthetic data: an invoice between regions for out-of-county care. -->
<Invoice xmlns="urn:sfti:documents:BasicInvoice:1:0"
  xmlns:cac="urn:sfti:CommonAggregateComponents:1:0"
  xmlns:cbc="urn:oasis:names:tc:ubl:CommonBasicComponents:1:0">
  <ID>{inv['number']}</ID>
  <cbc:IssueDate>{iso(inv['date'])}</cbc:IssueDate>
  <InvoiceTypeCode>380</InvoiceTypeCode>
  <cbc:Note>{inv['note']}</cbc:Note>
  <InvoiceCurrencyCode>SEK</InvoiceCurrencyCode>
  <LineItemCountNumeric>1</LineItemCountNumeric>
  <AdditionalDocumentReference>
    <cac:ID identificationSchemeID="ATS" identificationSchemeAgencyName="SFTI">urn:sfti:documents:object:1</cac:ID>
  </AdditionalDocumentReference>
  <cac:BuyerParty>
    <cac:Party>
      <cac:PartyIdentification>
        <cac:ID>{buyer_org}</cac:ID>
      </cac:PartyIdentification>
      <cac:PartyName>
        <cbc:Name>{buyer_name}</cbc:Name>
      </cac:PartyName>
      <cac:Address>
        <cbc:CityName>Nyköping</cbc:CityName>
        <cac:Country>
          <cac:IdentificationCode>SE</cac:IdentificationCode>
        </cac:Country>
      </cac:Address>
    </cac:Party>
  </cac:BuyerParty>
  <cac:SellerParty>
    <cac:Party>
      <cac:PartyName>
        <cbc:Name>{seller_name}</cbc:Name>
      </cac:PartyName>
      <cac:Address>
        <cbc:CityName>Örebro</cbc:CityName>
        <cac:Country>
          <cac:IdentificationCode>SE</cac:IdentificationCode>
        </cac:Country>
      </cac:Address>
      <cac:PartyTaxScheme>
        <cac:CompanyID>{seller_org}</cac:CompanyID>
        <cac:TaxScheme>
          <cac:ID>SWT</cac:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyTaxScheme>
        <cac:CompanyID>SE{seller_org}01</cac:CompanyID>
        <cac:TaxScheme>
          <cac:ID>VAT</cac:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
    </cac:Party>
  </cac:SellerParty>
  <cac:PaymentMeans>
    <cac:PaymentMeansTypeCode>1</cac:PaymentMeansTypeCode>
    <cbc:DuePaymentDate>{iso(inv['due'])}</cbc:DuePaymentDate>
    <cac:PayeeFinancialAccount>
      <cac:ID>{inv['bankgiro']}</cac:ID>
      <cac:FinancialInstitutionBranch>
        <cac:FinancialInstitution>
          <cac:ID>BGABSESS</cac:ID>
        </cac:FinancialInstitution>
      </cac:FinancialInstitutionBranch>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TotalTaxAmount amountCurrencyID="SEK">0.00</cbc:TotalTaxAmount>
    <cac:TaxSubTotal>
      <cbc:TaxableAmount amountCurrencyID="SEK">{total}</cbc:TaxableAmount>
      <cbc:TaxAmount amountCurrencyID="SEK">0.00</cbc:TaxAmount>
      <cac:TaxCategory>
        <cac:ID>E</cac:ID>
        <cbc:Percent>0</cbc:Percent>
        <cbc:ExemptionReason>Sjukvård, undantagen från skatteplikt</cbc:ExemptionReason>
        <cac:TaxScheme>
          <cac:ID>VAT</cac:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubTotal>
  </cac:TaxTotal>
  <cac:LegalTotal>
    <cbc:LineExtensionTotalAmount amountCurrencyID="SEK">{total}</cbc:LineExtensionTotalAmount>
    <cbc:TaxExclusiveTotalAmount amountCurrencyID="SEK">{total}</cbc:TaxExclusiveTotalAmount>
    <cbc:TaxInclusiveTotalAmount amountCurrencyID="SEK">{total}</cbc:TaxInclusiveTotalAmount>
  </cac:LegalTotal>
  <cac:InvoiceLine>
    <cac:ID>1</cac:ID>
    <cbc:InvoicedQuantity quantityUnitCode="EA">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount amountCurrencyID="SEK">{total}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Description>{inv['line']}</cbc:Description>
      <cac:TaxCategory>
        <cac:ID>E</cac:ID>
        <cbc:Percent>0</cbc:Percent>
        <cac:TaxScheme>
          <cac:ID>VAT</cac:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
      <cac:BasePrice>
        <cbc:PriceAmount amountCurrencyID="SEK">{total}</cbc:PriceAmount>
      </cac:BasePrice>
    </cac:Item>
  </cac:InvoiceLine>
  <RequisitionistDocumentReference>
    <cac:ID>UTOMLANS</cac:ID>
  </RequisitionistDocumentReference>
</Invoice>
"""


def envelope(inv, claim_doc, claim_id):
    seller_org, _ = REGIONS[inv["seller"]]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- ulf care sample: Svefaktura ObjectEnvelope carrying the claim specification of
     envelope-invoice.xml as object 1 (text/xml, base64).  Synthetic data. -->
<ObjectEnvelope xmlns="urn:sfti:documents:ObjectEnvelope:1:0">
  <DocumentReference>
    <DocumentID>{inv['number']}</DocumentID>
    <IssueDate>{iso(inv['date'])}</IssueDate>
    <IssuerID>{seller_org}</IssuerID>
    <DocumentType>urn:sfti:documents:BasicInvoice:1:0</DocumentType>
  </DocumentReference>
  <CreationDateTime>{iso(inv['date'])}T10:20:00</CreationDateTime>
  <EncodedObject>
    <ObjectID>1</ObjectID>
    <EncodedData format="BASE64" mimeCode="text/xml" filename="{claim_id}.xml">{b64(claim_doc.encode())}</EncodedData>
  </EncodedObject>
</ObjectEnvelope>
"""


AKA_KARD = ("E10101", "Akademiska sjukhuset, Kardiologi avd 50")
AKA_ORT = ("E10277", "Akademiska sjukhuset, Ortopedmottagning")
AKA_LAB = ("E10390", "Akademiska sjukhuset, Klinisk kemi provtagning")
AKA_DAG = ("E10412", "Akademiska sjukhuset, Dagkirurgi")
UNI_INF = ("E20133", "Universitetssjukhuset Örebro, Infektionsklinik avd 74")
UNI_MOT = ("E20218", "Universitetssjukhuset Örebro, Medicinmottagning")
PRIV = ("E10588", "Vårdcentralen Exempelkliniken (privat vårdgivare)")

# The matched pair: three care lines for two patients, inpatient DRG with an
# outlier, an outpatient visit with the patient fee deducted, and lab work
# with a charge.  Its line 3 is what the credit sample credits.
MATCHED = {
    "comment": "ulf care sample: claim specification for invoice-matched.xml (Region Uppsala to Region Sörmland).",
    "id": "ZVF23210000242503000101", "date": "20250331", "invoice": "7250001234",
    "seller": "uppsala", "buyer": "sormland",
    "patients": [
        {"pnr": "191212121212", "county": "04", "municipality": "0480", "gender": "1",
         "lines": [{"id": 1, "contact": "VK-AS-2025-0871", "referral": "R-0480-25-118",
                    "agreement": "2", "chapter": "1", "care": "02", "visit": "20250303",
                    "discharge": "20250308", "days": 5, "unit": AKA_KARD, "price_list": "2",
                    "drg": ("127O", "48350.00"), "outlier_time": "6200.00",
                    "dx": "I509", "kva": "FPE96", "field": "101"}]},
        {"pnr": "191212122277", "county": "04", "municipality": "0484", "gender": "2",
         "lines": [{"id": 2, "contact": "VK-AS-2025-1140", "agreement": "1", "chapter": "4",
                    "care": "01", "visit": "20250312", "unit": AKA_ORT, "price_list": "2",
                    "psc": [("BES01", "Läkarbesök, specialistvård", 1, "2450.00")],
                    "fee_paid": "200.00", "dx": "M170", "field": "301", "level": "2"},
                   {"id": 3, "contact": "VK-AS-2025-1141", "agreement": "3", "care": "01",
                    "visit": "20250312", "visit_time": "103000", "unit": AKA_LAB,
                    "psc": [("LAB02", "Provtagning och analys", 3, "180.00")],
                    "charge": "27.00", "field": "501", "level": "2", "profession": "BM"}]},
    ],
}

CLAIM_FIRST = {
    "comment": "ulf care sample: claim specification sent first, as the body of the RIV-TA SOAP request (Region Örebro län to Region Västmanland).",
    "id": "ZVF23210001642504000017", "date": "20250411", "invoice": "90412",
    "seller": "orebro", "buyer": "vastmanland",
    "patients": [
        {"pnr": "191212721235", "county": "19", "municipality": "1980", "gender": "2",
         "lines": [{"id": 10, "contact": "VK-USO-25-30077", "referral": "R-1980-25-044",
                    "agreement": "2", "chapter": "1", "care": "02", "visit": "20250401",
                    "discharge": "20250404", "days": 3, "unit": UNI_INF, "price_list": "2",
                    "drg": ("373O", "31900.00"), "outlier_cost": "4100.00", "dx": "A419",
                    "field": "181"},
                   {"id": 20, "contact": "VK-USO-25-30312", "agreement": "1", "chapter": "4",
                    "care": "01", "visit": "20250409", "unit": UNI_MOT,
                    "psc": [("BES02", "Återbesök, specialistvård", 1, "1850.00")],
                    "fee_paid": "100.00", "visit_type": "2", "field": "181"}]},
    ],
}

INVOICE_FIRST = {
    "comment": "ulf care sample: claim specification that arrives after its invoice and names it only by invoice number (Region Uppsala to Region Västmanland).",
    "id": "ZVF23210000242504000102", "date": "20250415", "invoice": "7250001301",
    "seller": "uppsala", "buyer": "vastmanland",
    "patients": [
        {"pnr": "191212122384", "county": "19", "municipality": "1984", "gender": "1",
         "lines": [{"id": 1, "contact": "VK-AS-2025-1502", "referral": "R-1984-25-009",
                    "agreement": "2", "chapter": "1", "care": "01", "visit": "20250407",
                    "unit": AKA_DAG, "price_list": "2",
                    "psc": [("DAG01", "Dagkirurgiskt ingrepp", 1, "12980.00")],
                    "dx": "K409", "kva": "JAB30", "field": "301", "level": "3"}]},
    ],
}

ENVELOPE = {
    "comment": "ulf care sample: claim specification carried as object 1 of envelope-claim.xml (Region Örebro län to Region Sörmland).",
    "id": "ZVF23210001642504000021", "date": "20250422", "invoice": "90433",
    "seller": "orebro", "buyer": "sormland",
    "patients": [
        {"pnr": "191212122459", "county": "04", "municipality": "0486", "gender": "1",
         "lines": [{"id": 1, "contact": "VK-USO-25-30590", "agreement": "1", "chapter": "3",
                    "care": "02", "visit": "20250414", "discharge": "20250416", "days": 2,
                    "unit": UNI_INF, "planned": False, "drg": ("375O", "7900.00"),
                    "psc": [("LKM01", "Läkemedel, särskilt kostnadskrävande", 2, "260.00")],
                    "dx": "J189", "field": "181"}]},
    ],
}

EMBEDDED = {
    "comment": "ulf care sample: claim specification embedded in ubl-embedded-invoice.xml (Region Uppsala to Region Sörmland).",
    "id": "ZVF23210000242505000103", "date": "20250506", "invoice": "7250001377",
    "seller": "uppsala", "buyer": "sormland",
    "patients": [
        {"pnr": "191212122590", "county": "04", "municipality": "0482", "gender": "2",
         "lines": [{"id": 1, "agreement": "1", "chapter": "4", "care": "01", "private": True,
                    "visit": "20250428", "unit": PRIV,
                    "psc": [("BES01", "Läkarbesök, specialistvård", 1, "3000.00")],
                    "allowance": "180.00", "discount": "50.00", "field": "101", "level": "1"}]},
    ],
}

CREDIT = {
    "comment": "ulf care sample: credit of line 3 of claim-matched.xml (wrong price), for credit-note.xml.",
    "id": "ZVF23210000242504000104", "date": "20250410", "invoice": "7250001399", "type": "381",
    "ref_invoice": "7250001234", "ref_claim": "ZVF23210000242503000101",
    "seller": "uppsala", "buyer": "sormland",
    "patients": [
        {"pnr": "191212122277", "county": "04", "municipality": "0484", "gender": "2",
         "lines": [{"id": 1, "contact": "VK-AS-2025-1141", "ref_line": 3, "reason": "2",
                    "agreement": "3", "care": "01", "visit": "20250312", "visit_time": "103000",
                    "unit": AKA_LAB, "psc": [("LAB02", "Provtagning och analys", 3, "180.00")],
                    "charge": "27.00", "field": "501", "level": "2", "profession": "BM"}]},
    ],
}

MISMATCH = {
    "comment": "ulf care sample: a claim whose payable amount (4 850.00) is not what mismatch-invoice.xml asks (5 480.00).",
    "id": "ZVF23210001642505000030", "date": "20250505", "invoice": "90458",
    "seller": "orebro", "buyer": "vastmanland",
    "patients": [
        {"pnr": "191212122665", "county": "19", "municipality": "1980", "gender": "1",
         "lines": [{"id": 1, "agreement": "1", "chapter": "4", "care": "01", "visit": "20250424",
                    "unit": UNI_MOT, "psc": [("BES01", "Läkarbesök, specialistvård", 1, "2450.00")],
                    "field": "101"},
                   {"id": 2, "agreement": "1", "chapter": "4", "care": "01", "visit": "20250429",
                    "unit": UNI_MOT, "psc": [("BES02", "Återbesök, specialistvård", 2, "1200.00")],
                    "visit_type": "2", "field": "101"}]},
    ],
}

TIMEOUT = {
    "comment": "ulf care sample: a claim whose invoice (7250001188) never arrives; with now 2025-05-01 and a wait of 30 days it becomes an exception.",
    "id": "ZVF23210000242503000099", "date": "20250314", "invoice": "7250001188",
    "seller": "uppsala", "buyer": "sormland",
    "patients": [
        {"pnr": "191212122731", "county": "04", "municipality": "0488", "gender": "1",
         "lines": [{"id": 1, "agreement": "1", "chapter": "3", "care": "01", "planned": False,
                    "visit": "20250302", "unit": AKA_ORT,
                    "psc": [("AKU01", "Akutbesök, specialistvård", 1, "3350.00")],
                    "fee_paid": "300.00", "field": "301", "level": "2"}]},
    ],
}


def write(name, text):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    doc, total = claim_xml(MATCHED)
    write("claim-matched.xml", doc)
    write("invoice-matched.xml", ubl_invoice({
        "comment": "ulf care sample: invoice for out-of-county care; its claim is claim-matched.xml, named by AdditionalDocumentReference.",
        "number": "7250001234", "date": "20250331", "due": "20250430", "payable": total,
        "seller": "uppsala", "buyer": "sormland", "claim_id": MATCHED["id"], "bankgiro": "56781230",
        "note": "Utomlänsvård mars 2025 enligt fakturaunderlag ZVF23210000242503000101.",
        "line": "Utomlänsvård enligt fakturaunderlag vård"}))

    doc, total = claim_xml(CLAIM_FIRST, soap=True)
    write("claim-first-claim.soap.xml", doc)
    write("claim-first-invoice.xml", ubl_invoice({
        "comment": "ulf care sample: invoice arriving after its claim (claim-first-claim.soap.xml).",
        "number": "90412", "date": "20250411", "due": "20250511", "payable": total,
        "seller": "orebro", "buyer": "vastmanland", "claim_id": CLAIM_FIRST["id"], "bankgiro": "12345674",
        "note": "Utomlänsvård april 2025.", "line": "Utomlänsvård enligt fakturaunderlag vård"}))

    doc, total = claim_xml(INVOICE_FIRST)
    write("invoice-first-claim.xml", doc)
    write("invoice-first-invoice.xml", ubl_invoice({
        "comment": "ulf care sample: invoice arriving before its claim, without a reference to it; the join is by invoice number and seller org number.",
        "number": "7250001301", "date": "20250415", "due": "20250515", "payable": total,
        "seller": "uppsala", "buyer": "vastmanland", "bankgiro": "56781230",
        "note": "Utomlänsvård, dagkirurgi april 2025.", "line": "Utomlänsvård, dagkirurgi"}))

    doc, total = claim_xml(ENVELOPE)
    write("envelope-claim.xml", envelope({"number": "90433", "date": "20250422", "seller": "orebro"},
                                         doc, ENVELOPE["id"]))
    write("envelope-invoice.xml", svefaktura_invoice({
        "comment": "ulf care sample: Svefaktura 1.0 invoice whose claim travels in envelope-claim.xml (object 1).",
        "number": "90433", "date": "20250422", "due": "20250522", "payable": total,
        "seller": "orebro", "buyer": "sormland", "bankgiro": "12345674",
        "note": "Utomlänsvård april 2025, fakturaunderlag ZVF23210001642504000021 i separat ObjectEnvelope.",
        "line": "Utomlänsvård enligt fakturaunderlag vård"}))

    doc, total = claim_xml(EMBEDDED)
    write("ubl-embedded-invoice.xml", ubl_invoice({
        "comment": "ulf care sample: invoice carrying its claim specification as an embedded application/xml object.",
        "number": "7250001377", "date": "20250506", "due": "20250605", "payable": total,
        "seller": "uppsala", "buyer": "sormland", "claim_id": EMBEDDED["id"], "bankgiro": "56781230",
        "note": "Utomlänsvård, privat vårdgivare, april 2025.",
        "line": "Utomlänsvård enligt fakturaunderlag vård"}, claim_doc=doc))

    doc, total = claim_xml(CREDIT)
    write("credit-claim.xml", doc)
    write("credit-note.xml", ubl_invoice({
        "comment": "ulf care sample: credit note crediting line 3 of invoice-matched.xml; its claim is credit-claim.xml.",
        "credit": True, "credits": "7250001234",
        "number": "7250001399", "date": "20250410", "payable": total,
        "seller": "uppsala", "buyer": "sormland", "claim_id": CREDIT["id"], "bankgiro": "56781230",
        "note": "Kreditering av felaktigt pris, faktura 7250001234.",
        "line": "Kreditering utomlänsvård enligt fakturaunderlag vård"}))

    doc, total = claim_xml(MISMATCH)
    write("mismatch-claim.xml", doc)
    write("mismatch-invoice.xml", ubl_invoice({
        "comment": "ulf care sample: invoice asking 5 480.00 for a claim of 4 850.00 (transposed digits).",
        "number": "90458", "date": "20250505", "due": "20250604", "payable": Decimal("5480.00"),
        "seller": "orebro", "buyer": "vastmanland", "claim_id": MISMATCH["id"], "bankgiro": "12345674",
        "note": "Utomlänsvård april 2025.", "line": "Utomlänsvård enligt fakturaunderlag vård"}))

    doc, total = claim_xml(TIMEOUT)
    write("timeout-claim.xml", doc)


if __name__ == "__main__":
    main()
