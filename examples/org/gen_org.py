#!/usr/bin/env python3
"""Writes the default emulator org: examples/org/describe/*.json and examples/org/records.json.

The describe files of Account, Contact and Lead start from the real describe bodies in
tests/data/salesforce-samples/describe/ (see SOURCES.md there) and add this org's custom fields
and child relationships; the other objects are written in the same shape (the same 57 keys per
field, the same object-level keys). Run from anywhere: python3 examples/org/gen_org.py
The output is deterministic; edit this script, not the JSON, and commit both.
"""

import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SAMPLES = os.path.join(ROOT, "tests", "data", "salesforce-samples", "describe")
API = "v59.0"
HOST = "https://connectflo-demo.my.salesforce.com"

# ------------------------------------------------------------------------------------------
# Ids with the real 3-character case checksum.

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id18(id15):
    assert len(id15) == 15
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, c in enumerate(id15[chunk * 5:chunk * 5 + 5]):
            if "A" <= c <= "Z":
                bits |= 1 << i
        suffix += CHECKSUM[bits]
    return id15 + suffix


def make_id(prefix, n):
    """The n-th record Id of an object: prefix (3) + pod "Dn" + "0000" + 6 base62 digits."""
    v = int(hashlib.sha256(("%s-%d" % (prefix, n)).encode()).hexdigest(), 16) % (62 ** 6)
    digits = ""
    for _ in range(6):
        digits = BASE62[v % 62] + digits
        v //= 62
    return id18(prefix + "Dn0000" + digits)


# ------------------------------------------------------------------------------------------
# Describe shapes.

FIELD_KEYS = [
    "aggregatable", "aiPredictionField", "autoNumber", "byteLength", "calculated",
    "calculatedFormula", "cascadeDelete", "caseSensitive", "compoundFieldName", "controllerName",
    "createable", "custom", "defaultValue", "defaultValueFormula", "defaultedOnCreate",
    "dependentPicklist", "deprecatedAndHidden", "digits", "displayLocationInDecimal", "encrypted",
    "externalId", "extraTypeInfo", "filterable", "filteredLookupInfo",
    "formulaTreatNullNumberAsZero", "groupable", "highScaleNumber", "htmlFormatted", "idLookup",
    "inlineHelpText", "label", "length", "mask", "maskType", "name", "nameField", "namePointing",
    "nillable", "permissionable", "picklistValues", "polymorphicForeignKey", "precision",
    "queryByDistance", "referenceTargetField", "referenceTo", "relationshipName",
    "relationshipOrder", "restrictedDelete", "restrictedPicklist", "scale",
    "searchPrefilterable", "soapType", "sortable", "type", "unique", "updateable",
    "writeRequiresMasterRead",
]

TYPE_DEFAULTS = {
    "id": dict(aggregatable=True, byteLength=18, length=18, createable=False, updateable=False,
               nillable=False, defaultedOnCreate=True, idLookup=True, groupable=True,
               permissionable=False, soapType="tns:ID"),
    "boolean": dict(soapType="xsd:boolean", groupable=True, nillable=False,
                    defaultedOnCreate=True, defaultValue=False),
    "string": dict(aggregatable=True, groupable=True, soapType="xsd:string", length=255),
    "textarea": dict(soapType="xsd:string", length=32000, extraTypeInfo="plaintextarea",
                     filterable=False, sortable=False),
    "email": dict(aggregatable=True, groupable=True, soapType="xsd:string", length=80),
    "phone": dict(aggregatable=True, groupable=True, soapType="xsd:string", length=40),
    "url": dict(aggregatable=True, groupable=True, soapType="xsd:string", length=255),
    "picklist": dict(aggregatable=True, groupable=True, soapType="xsd:string", length=255),
    "multipicklist": dict(soapType="xsd:string", length=4099, sortable=False),
    "combobox": dict(aggregatable=True, groupable=True, soapType="xsd:string", length=255),
    "currency": dict(aggregatable=True, soapType="xsd:double", precision=18, scale=2),
    "double": dict(aggregatable=True, soapType="xsd:double", precision=18, scale=0),
    "percent": dict(aggregatable=True, soapType="xsd:double", precision=3, scale=0),
    "int": dict(aggregatable=True, groupable=True, soapType="xsd:int", digits=9),
    "date": dict(aggregatable=True, groupable=True, soapType="xsd:date"),
    "datetime": dict(aggregatable=True, soapType="xsd:dateTime"),
    "time": dict(aggregatable=True, soapType="xsd:time"),
    "reference": dict(aggregatable=True, groupable=True, byteLength=18, length=18,
                      soapType="tns:ID"),
}
TEXT_TYPES = {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
              "combobox"}


def pick(values, default=None):
    """Picklist values in describe shape; `default` marks the default value."""
    return [{"active": True, "defaultValue": v == default, "label": v, "validFor": None,
             "value": v} for v in values]


def field(name, ftype, label, **kw):
    f = {k: None for k in FIELD_KEYS}
    f.update(aggregatable=False, aiPredictionField=False, autoNumber=False, byteLength=0,
             calculated=False, cascadeDelete=False, caseSensitive=False, createable=True,
             custom=name.endswith("__c"), defaultedOnCreate=False, dependentPicklist=False,
             deprecatedAndHidden=False, digits=0, displayLocationInDecimal=False,
             encrypted=False, externalId=False, filterable=True,
             formulaTreatNullNumberAsZero=False, groupable=False, highScaleNumber=False,
             htmlFormatted=False, idLookup=False, length=0, nameField=False, namePointing=False,
             nillable=True, permissionable=True, picklistValues=[], polymorphicForeignKey=False,
             precision=0, queryByDistance=False, referenceTo=[], restrictedDelete=False,
             restrictedPicklist=False, scale=0, searchPrefilterable=False, sortable=True,
             unique=False, updateable=True, writeRequiresMasterRead=False)
    f.update(TYPE_DEFAULTS[ftype])
    f.update(name=name, type=ftype, label=label)
    f.update(kw)
    if ftype in TEXT_TYPES and "byteLength" not in kw:
        f["byteLength"] = 3 * f["length"]
    if ftype == "textarea" and f["length"] <= 255 and "filterable" not in kw:
        f["filterable"] = True
    if not f["createable"] and not f["updateable"] and "permissionable" not in kw:
        f["permissionable"] = False
    if ftype == "boolean" and not f["createable"] and "defaultValue" not in kw:
        f["defaultValue"] = False
    if ftype == "reference" and len(f["referenceTo"]) > 1:
        f["polymorphicForeignKey"] = True
    if f["nillable"] is False and ftype not in ("boolean",):
        f["permissionable"] = False
    assert list(sorted(f)) == sorted(FIELD_KEYS), name
    return f


def system_field(name, ftype, label, **kw):
    """Audit and system fields: set by the platform, read-only."""
    base = dict(createable=False, updateable=False)
    if name in ("CreatedDate", "LastModifiedDate", "SystemModstamp", "CreatedById",
                "LastModifiedById"):
        base.update(nillable=False, defaultedOnCreate=True)
    base.update(kw)
    return field(name, ftype, label, **base)


def ref(name, label, targets, relationship, **kw):
    return field(name, "reference", label, referenceTo=list(targets),
                 relationshipName=relationship, **kw)


def audit_fields(include_activity=True):
    out = [
        system_field("CreatedDate", "datetime", "Created Date"),
        system_field("CreatedById", "reference", "Created By ID", referenceTo=["User"],
                     relationshipName="CreatedBy"),
        system_field("LastModifiedDate", "datetime", "Last Modified Date"),
        system_field("LastModifiedById", "reference", "Last Modified By ID",
                     referenceTo=["User"], relationshipName="LastModifiedBy"),
        system_field("SystemModstamp", "datetime", "System Modstamp"),
    ]
    if include_activity:
        out.append(system_field("LastActivityDate", "date", "Last Activity"))
    out += [
        system_field("LastViewedDate", "datetime", "Last Viewed Date"),
        system_field("LastReferencedDate", "datetime", "Last Referenced Date"),
    ]
    return out


def child(name, child_object, fld, cascade=False, restricted=False):
    return {"cascadeDelete": cascade, "childSObject": child_object,
            "deprecatedAndHidden": False, "field": fld, "junctionIdListNames": [],
            "junctionReferenceTo": [], "relationshipName": name,
            "restrictedDelete": restricted}


def urls(name, prefix):
    base = "/services/data/%s/sobjects/%s" % (API, name)
    return {
        "compactLayouts": base + "/describe/compactLayouts",
        "rowTemplate": base + "/{ID}",
        "approvalLayouts": base + "/describe/approvalLayouts",
        "uiDetailTemplate": HOST + "/{ID}",
        "uiEditTemplate": HOST + "/{ID}/e",
        "listviews": base + "/listviews",
        "describe": base + "/describe",
        "uiNewRecord": HOST + "/%s/e" % prefix,
        "quickActions": base + "/quickActions",
        "layouts": base + "/describe/layouts",
        "sobject": base,
    }


def master_record_type(name):
    return [{"active": True, "available": True, "defaultRecordTypeMapping": True,
             "developerName": "Master", "master": True, "name": "Master",
             "recordTypeId": "012000000000000AAA",
             "urls": {"layout": "/services/data/%s/sobjects/%s/describe/layouts/"
                                "012000000000000AAA" % (API, name)}}]


def sobject(name, label, plural, prefix, fields, children, custom=False, scopes=None):
    return {
        "actionOverrides": [], "activateable": False, "associateEntityType": None,
        "associateParentEntity": None, "childRelationships": children,
        "compactLayoutable": True, "createable": True, "custom": custom,
        "customSetting": False, "deepCloneable": False, "defaultImplementation": None,
        "deletable": True, "deprecatedAndHidden": False, "extendedBy": None,
        "extendsInterfaces": None, "feedEnabled": not custom, "fields": fields,
        "hasSubtypes": False, "implementedBy": None, "implementsInterfaces": None,
        "isInterface": False, "isSubtype": False, "keyPrefix": prefix, "label": label,
        "labelPlural": plural, "layoutable": True, "listviewable": None,
        "lookupLayoutable": None, "mergeable": name in ("Account", "Contact", "Lead", "Case"),
        "mruEnabled": True, "name": name, "namedLayoutInfos": [], "networkScopeFieldName": None,
        "queryable": True, "recordTypeInfos": master_record_type(name), "replicateable": True,
        "retrieveable": True, "searchLayoutable": True, "searchable": True,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": scopes or [
            {"label": "All %s" % plural.lower(), "name": "everything"},
            {"label": "My %s" % plural.lower(), "name": "mine"},
            {"label": "My team's %s" % plural.lower(), "name": "team"}],
        "triggerable": True, "undeletable": True, "updateable": True,
        "urls": urls(name, prefix),
    }


def b64_valid_for(indexes, controller_values):
    """validFor: base64 of a bitset, most significant bit first; length as Salesforce."""
    import base64
    n = max((controller_values + 7) // 8, max(indexes) // 8 + 1 if indexes else 1, 1)
    n = (n + 2) // 3 * 3
    bits = bytearray(n)
    for i in indexes:
        bits[i // 8] |= 0x80 >> (i % 8)
    return base64.b64encode(bytes(bits)).decode("ascii")


def dependent(values_valid_for, controller_values):
    out = []
    for value, indexes in values_valid_for:
        out.append({"active": True, "defaultValue": False, "label": value,
                    "validFor": b64_valid_for(indexes, controller_values), "value": value})
    return out


# ------------------------------------------------------------------------------------------
# The objects.

LEAD_SOURCE = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]
STAGES = [  # value, probability, forecast category name, closed, won
    ("Prospecting", 10, "Pipeline", False, False),
    ("Qualification", 10, "Pipeline", False, False),
    ("Needs Analysis", 20, "Pipeline", False, False),
    ("Value Proposition", 50, "Pipeline", False, False),
    ("Id. Decision Makers", 60, "Pipeline", False, False),
    ("Perception Analysis", 70, "Pipeline", False, False),
    ("Proposal/Price Quote", 75, "Pipeline", False, False),
    ("Negotiation/Review", 90, "Pipeline", False, False),
    ("Closed Won", 100, "Closed", True, True),
    ("Closed Lost", 0, "Omitted", True, False),
]
PRODUCTS = ["Voice", "Messaging", "Analytics"]
SUB_PRODUCTS = [  # value, indexes of the Product__c values it is valid for
    ("IVR", [0]), ("Call Recording", [0]), ("SIP Trunking", [0]),
    ("Web Chat", [1]), ("SMS", [1]), ("WhatsApp", [1]),
    ("Dashboards", [2]), ("Exports", [2]), ("API Access", [1, 2]),
]
ESCALATION_REASONS = [  # controlled by the IsEscalated checkbox: 0 = false, 1 = true
    ("Not Escalated", [0]), ("SLA Breach", [1]), ("Churn Risk", [1]),
    ("Executive Request", [1]),
]


def load_sample(name):
    with open(os.path.join(SAMPLES, "sobject_describe_%s.json" % name)) as f:
        d = json.load(f)
    # One API version and one (fictional) org host throughout this org.
    text = json.dumps(d)
    text = re.sub(r"/services/data/v(?:xx|\d+)\.0/", "/services/data/%s/" % API, text)
    text = re.sub(r"https://[a-z0-9.-]+\.salesforce\.com", HOST, text)
    d = json.loads(text)
    # The Account capture predates three object-level keys that v59.0 sends.
    for key, value in (("associateEntityType", None), ("associateParentEntity", None),
                       ("sobjectDescribeOption", "FULL")):
        d.setdefault(key, value)
    return dict(sorted(d.items()))


def insert_after(fields, after, new_fields):
    i = [f["name"] for f in fields].index(after) + 1
    fields[i:i] = new_fields


def account():
    d = load_sample("Account")
    insert_after(d["fields"], "OperatingHoursId", [
        field("Tier__c", "picklist", "Tier", restrictedPicklist=True,
              picklistValues=pick(["Platinum", "Gold", "Silver", "Bronze"]),
              inlineHelpText="Support tier from the customer's contract."),
        field("SLA_Hours__c", "double", "SLA Hours", precision=4, scale=1,
              inlineHelpText="Hours within which a high-priority case must get a response."),
        field("Regions__c", "multipicklist", "Regions",
              picklistValues=pick(["EMEA", "AMER", "APAC", "LATAM"])),
        field("Health_Score__c", "percent", "Health Score", precision=3, scale=0),
    ])
    rel = child("Support_Contracts__r", "Support_Contract__c", "Account__c", restricted=True)
    children = d["childRelationships"]
    at = next((i for i, c in enumerate(children)
               if c["childSObject"].lower() > rel["childSObject"].lower()), len(children))
    children.insert(at, rel)
    return d


def contact():
    d = load_sample("Contact")
    insert_after(d["fields"], "IndividualId", [
        field("Preferred_Channel__c", "picklist", "Preferred Channel",
              picklistValues=pick(["Phone", "Email", "Web Chat", "SMS", "WhatsApp"])),
    ])
    return d


def lead():
    d = load_sample("Lead")
    insert_after(d["fields"], "IndividualId", [
        field("ConnectFlo_Conversation_Id__c", "string", "ConnectFlo Conversation ID",
              length=80, externalId=True, unique=True, idLookup=True,
              inlineHelpText="The ConnectFlo conversation that created this lead."),
    ])
    return d


def opportunity():
    fields = [
        field("Id", "id", "Opportunity ID"),
        system_field("IsDeleted", "boolean", "Deleted"),
        ref("AccountId", "Account ID", ["Account"], "Account"),
        field("IsPrivate", "boolean", "Private"),
        field("Name", "string", "Name", length=120, nillable=False, nameField=True),
        field("Description", "textarea", "Description"),
        field("StageName", "picklist", "Stage", nillable=False, length=255,
              picklistValues=pick([s[0] for s in STAGES])),
        field("Amount", "currency", "Amount"),
        field("Probability", "percent", "Probability (%)", defaultedOnCreate=True),
        system_field("ExpectedRevenue", "currency", "Expected Amount", precision=18, scale=2,
                     calculated=True),
        field("TotalOpportunityQuantity", "double", "Quantity", precision=18, scale=2),
        field("CloseDate", "date", "Close Date", nillable=False),
        field("Type", "picklist", "Opportunity Type", length=40, picklistValues=pick([
            "Existing Customer - Upgrade", "Existing Customer - Replacement",
            "Existing Customer - Downgrade", "New Customer"])),
        field("NextStep", "string", "Next Step"),
        field("LeadSource", "picklist", "Lead Source", length=40,
              picklistValues=pick(LEAD_SOURCE)),
        system_field("IsClosed", "boolean", "Closed", nillable=False),
        system_field("IsWon", "boolean", "Won", nillable=False),
        field("ForecastCategoryName", "picklist", "Forecast Category", length=40,
              defaultedOnCreate=True, picklistValues=pick(
                  ["Omitted", "Pipeline", "Best Case", "Commit", "Closed"])),
        ref("CampaignId", "Campaign ID", ["Campaign"], "Campaign"),
        system_field("HasOpportunityLineItem", "boolean", "Has Line Item"),
        ref("Pricebook2Id", "Price Book ID", ["Pricebook2"], "Pricebook2"),
        ref("OwnerId", "Owner ID", ["User"], "Owner", nillable=False, defaultedOnCreate=True),
        ref("ContactId", "Contact ID", ["Contact"], "Contact"),
    ] + audit_fields() + [
        system_field("FiscalQuarter", "int", "Fiscal Quarter", digits=11),
        system_field("FiscalYear", "int", "Fiscal Year", digits=11),
        system_field("Fiscal", "string", "Fiscal Period", length=6),
    ]
    children = [
        child("ActivityHistories", "ActivityHistory", "WhatId"),
        child(None, "OpportunityChangeEvent", "Id"),
        child("OpportunityContactRoles", "OpportunityContactRole", "OpportunityId", cascade=True),
        child("OpportunityHistories", "OpportunityHistory", "OpportunityId", cascade=True),
        child("Histories", "OpportunityFieldHistory", "OpportunityId", cascade=True),
        child("OpenActivities", "OpenActivity", "WhatId"),
        child("Tasks", "Task", "WhatId", cascade=True),
    ]
    return sobject("Opportunity", "Opportunity", "Opportunities", "006", fields, children)


def case():
    fields = [
        field("Id", "id", "Case ID"),
        system_field("IsDeleted", "boolean", "Deleted"),
        ref("MasterRecordId", "Master Record ID", ["Case"], "MasterRecord", createable=False,
            updateable=False),
        system_field("CaseNumber", "string", "Case Number", length=30, nillable=False,
                     autoNumber=True, defaultedOnCreate=True, nameField=True, idLookup=True),
        ref("ContactId", "Contact ID", ["Contact"], "Contact"),
        ref("AccountId", "Account ID", ["Account"], "Account"),
        ref("ParentId", "Parent Case ID", ["Case"], "Parent"),
        field("SuppliedName", "string", "Name", length=80),
        field("SuppliedEmail", "email", "Email Address"),
        field("SuppliedPhone", "string", "Phone", length=40),
        field("SuppliedCompany", "string", "Company", length=80),
        field("Type", "picklist", "Case Type", length=40, picklistValues=pick(
            ["Mechanical", "Electrical", "Electronic", "Structural", "Other"])),
        field("Status", "picklist", "Status", length=40, defaultedOnCreate=True,
              defaultValue="New",
              picklistValues=pick(["New", "Working", "Escalated", "Closed"], default="New")),
        field("Reason", "picklist", "Case Reason", length=40, picklistValues=pick(
            ["Installation", "Equipment Complexity", "Performance", "Breakdown",
             "Equipment Design", "Feedback", "Other"])),
        field("Origin", "picklist", "Case Origin", length=40,
              picklistValues=pick(["Phone", "Email", "Web"])),
        field("Subject", "string", "Subject"),
        field("Priority", "picklist", "Priority", length=40, defaultedOnCreate=True,
              defaultValue="Medium",
              picklistValues=pick(["High", "Medium", "Low"], default="Medium")),
        field("Description", "textarea", "Description"),
        system_field("IsClosed", "boolean", "Closed"),
        system_field("ClosedDate", "datetime", "Closed Date"),
        field("IsEscalated", "boolean", "Escalated"),
        ref("OwnerId", "Owner ID", ["Group", "User"], "Owner", nillable=False,
            defaultedOnCreate=True),
    ] + audit_fields(include_activity=False) + [
        system_field("ContactPhone", "phone", "Contact Phone", calculated=True),
        system_field("ContactMobile", "phone", "Contact Mobile", calculated=True),
        system_field("ContactEmail", "email", "Contact Email", calculated=True),
        field("ConnectFlo_Action_Id__c", "string", "ConnectFlo Action ID", length=80,
              externalId=True, unique=True, idLookup=True,
              inlineHelpText="Idempotency key of the ConnectFlo action that wrote this case."),
        field("Product__c", "picklist", "Product", picklistValues=pick(PRODUCTS)),
        field("Sub_Product__c", "picklist", "Sub-Product", dependentPicklist=True,
              controllerName="Product__c", restrictedPicklist=True,
              picklistValues=dependent(SUB_PRODUCTS, len(PRODUCTS))),
        field("Escalation_Reason__c", "picklist", "Escalation Reason", dependentPicklist=True,
              controllerName="IsEscalated",
              picklistValues=dependent(ESCALATION_REASONS, 2)),
    ]
    children = [
        child("ActivityHistories", "ActivityHistory", "WhatId"),
        child("Cases", "Case", "ParentId"),
        child(None, "CaseChangeEvent", "Id"),
        child("CaseComments", "CaseComment", "ParentId", cascade=True),
        child("Histories", "CaseHistory", "CaseId", cascade=True),
        child("EmailMessages", "EmailMessage", "ParentId", cascade=True),
        child("OpenActivities", "OpenActivity", "WhatId"),
        child("Tasks", "Task", "WhatId", cascade=True),
    ]
    return sobject("Case", "Case", "Cases", "500", fields, children)


TASK_WHAT = ["Account", "Asset", "Campaign", "Case", "Contract", "Opportunity", "Order",
             "Product2", "Solution", "Support_Contract__c"]


def task():
    fields = [
        field("Id", "id", "Activity ID"),
        ref("WhoId", "Name ID", ["Contact", "Lead"], "Who", namePointing=True),
        ref("WhatId", "Related To ID", TASK_WHAT, "What", namePointing=True),
        field("Subject", "combobox", "Subject", picklistValues=pick(
            ["Call", "Send Letter", "Send Quote", "Other"])),
        field("ActivityDate", "date", "Due Date Only"),
        field("Status", "picklist", "Status", length=40, nillable=False, defaultedOnCreate=True,
              defaultValue="Not Started", picklistValues=pick(
                  ["Not Started", "In Progress", "Completed", "Waiting on someone else",
                   "Deferred"], default="Not Started")),
        field("Priority", "picklist", "Priority", length=40, nillable=False,
              defaultedOnCreate=True, defaultValue="Normal",
              picklistValues=pick(["High", "Normal", "Low"], default="Normal")),
        system_field("IsHighPriority", "boolean", "High Priority"),
        ref("OwnerId", "Assigned To ID", ["Group", "User"], "Owner", nillable=False,
            defaultedOnCreate=True),
        field("Description", "textarea", "Description"),
        system_field("IsDeleted", "boolean", "Deleted"),
        system_field("AccountId", "reference", "Account ID", referenceTo=["Account"],
                     relationshipName="Account"),
        system_field("IsClosed", "boolean", "Closed"),
    ] + audit_fields(include_activity=False)[:5] + [
        system_field("IsArchived", "boolean", "Archived"),
        field("CallDurationInSeconds", "int", "Call Duration", digits=8),
        field("CallType", "picklist", "Call Type", length=40,
              picklistValues=pick(["Internal", "Inbound", "Outbound"])),
        field("CallDisposition", "string", "Call Result"),
        field("CallObject", "string", "Call Object Identifier"),
        field("ReminderDateTime", "datetime", "Reminder Date/Time"),
        field("IsReminderSet", "boolean", "Reminder Set"),
        field("Type", "picklist", "Type", length=40,
              picklistValues=pick(["Call", "Email", "Meeting", "Other"])),
        field("TaskSubtype", "picklist", "Task Subtype", length=40, updateable=False,
              picklistValues=pick(["Task", "Email", "ListEmail", "Cadence", "Call"])),
        system_field("CompletedDateTime", "datetime", "Completed Date/Time"),
        field("ConnectFlo_Conversation_Id__c", "string", "ConnectFlo Conversation ID",
              length=80, externalId=True, idLookup=True),
    ]
    children = [
        child("Attachments", "Attachment", "ParentId", cascade=True),
        child(None, "TaskChangeEvent", "Id"),
        child("Feeds", "TaskFeed", "ParentId", cascade=True),
    ]
    return sobject("Task", "Task", "Tasks", "00T", fields, children,
                   scopes=[{"label": "Delegated tasks", "name": "delegated"},
                           {"label": "Everything", "name": "everything"},
                           {"label": "My tasks", "name": "mine"},
                           {"label": "My team's tasks", "name": "team"}])


def user():
    fields = [
        field("Id", "id", "User ID"),
        field("Username", "string", "Username", length=80, nillable=False, unique=True,
              idLookup=True),
        field("LastName", "string", "Last Name", length=80, nillable=False,
              compoundFieldName="Name", extraTypeInfo="personname"),
        field("FirstName", "string", "First Name", length=40, compoundFieldName="Name",
              extraTypeInfo="personname"),
        system_field("Name", "string", "Full Name", length=121, nillable=False, nameField=True,
                     extraTypeInfo="personname"),
        field("CompanyName", "string", "Company Name", length=80),
        field("Division", "string", "Division", length=80),
        field("Department", "string", "Department", length=80),
        field("Title", "string", "Title", length=80),
        field("Email", "email", "Email", length=128, nillable=False),
        field("Phone", "phone", "Phone"),
        field("MobilePhone", "phone", "Mobile"),
        field("Alias", "string", "Alias", length=8, nillable=False),
        field("IsActive", "boolean", "Active"),
        field("TimeZoneSidKey", "picklist", "Time Zone", length=40, nillable=False,
              restrictedPicklist=True, picklistValues=pick(
                  ["America/Los_Angeles", "America/Denver", "America/Chicago",
                   "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Paris",
                   "Europe/Berlin", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
                   "Australia/Sydney"])),
        field("LocaleSidKey", "picklist", "Locale", length=40, nillable=False,
              restrictedPicklist=True, picklistValues=pick(
                  ["en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "pt_BR", "ja_JP", "en_AU"])),
        field("EmailEncodingKey", "picklist", "Email Encoding", length=40, nillable=False,
              restrictedPicklist=True,
              picklistValues=pick(["UTF-8", "ISO-8859-1", "Shift_JIS"])),
        field("LanguageLocaleKey", "picklist", "Language", length=40, nillable=False,
              restrictedPicklist=True, picklistValues=pick(
                  ["en_US", "fr", "de", "es", "pt_BR", "ja"])),
        system_field("UserType", "picklist", "User Type", length=40, picklistValues=pick(
            ["Standard", "PowerPartner", "CspLitePortal", "CustomerSuccess", "PowerCustomerSuccess",
             "CsnOnly", "Guest"])),
        ref("ManagerId", "Manager ID", ["User"], "Manager"),
        ref("ProfileId", "Profile ID", ["Profile"], "Profile", nillable=False),
        ref("UserRoleId", "Role ID", ["UserRole"], "UserRole"),
        system_field("LastLoginDate", "datetime", "Last Login"),
    ] + audit_fields(include_activity=False)
    children = [
        child("ManagedUsers", "User", "ManagerId"),
        child(None, "UserChangeEvent", "Id"),
        child("Feeds", "UserFeed", "ParentId", cascade=True),
    ]
    return sobject("User", "User", "Users", "005", fields, children,
                   scopes=[{"label": "All users", "name": "everything"}])


def support_contract():
    fields = [
        field("Id", "id", "Record ID"),
        ref("OwnerId", "Owner ID", ["Group", "User"], "Owner", nillable=False,
            defaultedOnCreate=True),
        system_field("IsDeleted", "boolean", "Deleted"),
        field("Name", "string", "Support Contract Name", length=80, nameField=True),
    ] + audit_fields() + [
        ref("Account__c", "Account", ["Account"], "Account__r", nillable=False,
            restrictedDelete=True),
        field("Level__c", "picklist", "Level", restrictedPicklist=True,
              picklistValues=pick(["Standard", "Premium", "Enterprise"], default="Standard"),
              defaultedOnCreate=True, defaultValue="Standard"),
        field("Start_Date__c", "date", "Start Date", nillable=False),
        field("End_Date__c", "date", "End Date"),
        field("Annual_Value__c", "currency", "Annual Value", precision=16, scale=2),
        field("Active__c", "boolean", "Active", defaultValue=True),
        field("Response_Time_Hours__c", "double", "Response Time (Hours)", precision=4,
              scale=1),
    ]
    children = [
        child("ActivityHistories", "ActivityHistory", "WhatId"),
        child("OpenActivities", "OpenActivity", "WhatId"),
        child("Histories", "Support_Contract__History", "ParentId", cascade=True),
        child("Tasks", "Task", "WhatId", cascade=True),
    ]
    return sobject("Support_Contract__c", "Support Contract", "Support Contracts", "a0C",
                   fields, children, custom=True,
                   scopes=[{"label": "All support contracts", "name": "everything"},
                           {"label": "My support contracts", "name": "mine"},
                           {"label": "Queue owned support contracts", "name": "queue_owned"}])


# ------------------------------------------------------------------------------------------
# Records.

NOW = "2026-11-27T16:20:00.000+0000"


class Ids:
    def __init__(self):
        self.counters = {}

    def next(self, prefix):
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return make_id(prefix, n)


IDS = Ids()
PREFIX = {"Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006",
          "Case": "500", "Task": "00T", "User": "005", "Support_Contract__c": "a0C"}


def record(obj, fields, created="2026-03-02T09:15:00.000+0000", modified=None, owner=None):
    rid = IDS.next(PREFIX[obj])
    r = {"attributes": {"type": obj, "url": "/services/data/%s/sobjects/%s/%s" % (API, obj, rid)},
         "Id": rid}
    r.update(fields)
    if obj != "User":
        r["IsDeleted"] = False
    r["CreatedDate"] = created
    r["LastModifiedDate"] = modified or created
    r["SystemModstamp"] = modified or created
    r["CreatedById"] = owner or USERS_BY_ALIAS["integ"]["Id"]
    r["LastModifiedById"] = owner or USERS_BY_ALIAS["integ"]["Id"]
    return r


USERS_BY_ALIAS = {}


def make_users():
    people = [
        ("integ", "Integration", "ConnectFlo", "integration@connectflo-demo.example", "IT",
         "Integration User", "America/New_York"),
        ("arive", "Ann", "Rivera", "ann.rivera@connectflo-demo.example", "Sales",
         "Sales Director", "America/New_York"),
        ("bokaf", "Ben", "Okafor", "ben.okafor@connectflo-demo.example", "Sales",
         "Account Executive", "Europe/London"),
        ("cmart", "Chloe", "Martin", "chloe.martin@connectflo-demo.example", "Support",
         "Support Manager", "Europe/Paris"),
        ("dtana", "Daichi", "Tanaka", "daichi.tanaka@connectflo-demo.example", "Sales",
         "Account Executive", "Asia/Tokyo"),
    ]
    users = []
    for alias, first, last, email, dept, title, tz in people:
        rid = IDS.next("005")
        u = {"attributes": {"type": "User",
                            "url": "/services/data/%s/sobjects/User/%s" % (API, rid)},
             "Id": rid, "Username": email, "FirstName": first, "LastName": last,
             "Name": first + " " + last, "CompanyName": "ConnectFlo Demo", "Department": dept,
             "Title": title, "Email": email, "Alias": alias, "IsActive": True,
             "TimeZoneSidKey": tz, "LocaleSidKey": "en_US", "EmailEncodingKey": "UTF-8",
             "LanguageLocaleKey": "en_US", "UserType": "Standard", "ManagerId": None,
             "CreatedDate": "2025-12-01T08:00:00.000+0000",
             "LastModifiedDate": "2026-10-01T08:00:00.000+0000",
             "SystemModstamp": "2026-10-01T08:00:00.000+0000"}
        USERS_BY_ALIAS[alias] = u
        users.append(u)
    for u in users:
        u["CreatedById"] = USERS_BY_ALIAS["integ"]["Id"]
        u["LastModifiedById"] = USERS_BY_ALIAS["integ"]["Id"]
        if u["Alias"] in ("bokaf", "dtana"):
            u["ManagerId"] = USERS_BY_ALIAS["arive"]["Id"]
    return users


def uid(alias):
    return USERS_BY_ALIAS[alias]["Id"]


def make_records():
    users = make_users()
    accounts_spec = [
        # name, type, industry, revenue, employees, tier, sla, regions, health, city, country, owner
        ("Kestrel Banking Group", "Customer - Direct", "Banking", 2400000000, 12000, "Platinum",
         2, "EMEA;AMER", 92, "London", "United Kingdom", "arive"),
        ("Brightwater Insurance", "Customer - Direct", "Insurance", 780000000, 3400, "Gold", 4,
         "AMER", 81, "Hartford", "United States", "arive"),
        ("Northwind Logistics", "Customer - Channel", "Transportation", 125500000.5, 900,
         "Silver", 8, "AMER;LATAM", 64, "Chicago", "United States", "bokaf"),
        ("Helios Solar", "Prospect", "Energy", None, 140, None, None, "EMEA", None, "Seville",
         "Spain", "bokaf"),
        ("Marlow Health Partners", "Customer - Direct", "Healthcare", 56000000, 620, "Gold", 4,
         "EMEA", 77, "Manchester", "United Kingdom", "cmart"),
        ("Bluebird Telecom", "Customer - Direct", "Telecommunications", 1310000000, 8800,
         "Platinum", 1.5, "APAC;EMEA", 58, "Singapore", "Singapore", "dtana"),
        ("Alder & Finch Retail", "Customer - Channel", "Retail", 98000000, 1500, "Bronze", 24,
         "AMER", 71, "Toronto", "Canada", "bokaf"),
        ("Granite Manufacturing", "Prospect", "Manufacturing", None, 2300, None, None,
         "AMER", None, "Pittsburgh", "United States", "arive"),
        ("Orchid Hospitality", "Channel Partner / Reseller", "Hospitality", 43000000, 410,
         "Silver", 8, "APAC", 69, "Osaka", "Japan", "dtana"),
        ("Quantum Freight", "Other", "Shipping", None, 75, "Bronze", 24, "LATAM", 40,
         "Sao Paulo", "Brazil", "bokaf"),
    ]
    accounts = []
    for i, (name, typ, ind, rev, emp, tier, sla, regions, health, city, country,
            owner) in enumerate(accounts_spec):
        slug = re.sub(r"[^a-z]", "", name.lower().split()[0])
        accounts.append(record("Account", {
            "Name": name, "Type": typ, "Industry": ind, "AnnualRevenue": rev,
            "NumberOfEmployees": emp, "Phone": "+1 555 01%02d" % (10 + i),
            "Website": "https://www.%s.example" % slug, "BillingCity": city,
            "BillingCountry": country, "Rating": ["Hot", "Warm", "Cold"][i % 3],
            "AccountSource": LEAD_SOURCE[i % len(LEAD_SOURCE)], "OwnerId": uid(owner),
            "ParentId": None, "Tier__c": tier, "SLA_Hours__c": sla, "Regions__c": regions,
            "Health_Score__c": health,
        }, created="2026-0%d-1%dT10:00:00.000+0000" % (1 + i % 9, i % 10),
            modified="2026-11-2%dT12:30:00.000+0000" % (i % 7), owner=uid(owner)))
    acc = {a["Name"]: a for a in accounts}

    contacts_spec = [
        # first, last, account, title, phone, mobile, channel, salutation
        ("Olivia", "Hart", "Kestrel Banking Group", "Head of Customer Operations",
         "+44 20 7946 0101", "+44 7700 900101", "Phone", "Ms."),
        ("Rahul", "Mehta", "Kestrel Banking Group", "IT Director", "+44 20 7946 0102", None,
         "Email", "Mr."),
        ("Sophie", "Laurent", "Kestrel Banking Group", "Procurement Lead", "+44 20 7946 0103",
         "+44 7700 900103", "Web Chat", "Ms."),
        ("James", "Whitaker", "Brightwater Insurance", "VP Claims", "+1 860 555 0110",
         "+1 860 555 0111", "Phone", "Mr."),
        ("Grace", "Kim", "Brightwater Insurance", "Contact Center Manager", "+1 860 555 0112",
         None, "SMS", "Ms."),
        ("Diego", "Alvarez", "Northwind Logistics", "Operations Manager", "+1 312 555 0120",
         "+1 312 555 0121", "WhatsApp", "Mr."),
        ("Emma", "Fischer", "Northwind Logistics", "Customer Success Lead", None, "+1 312 555 0122",
         "Email", "Ms."),
        ("Lucia", "Navarro", "Helios Solar", "Founder", "+34 954 555 130", "+34 600 555 131",
         "Phone", "Dr."),
        ("Thomas", "Reed", "Marlow Health Partners", "Patient Services Director",
         "+44 161 555 0140", "123", "Email", "Mr."),
        ("Aisha", "Bello", "Marlow Health Partners", "Practice Manager", "+44 161 555 0141",
         None, "Web Chat", "Ms."),
        ("Wei", "Chen", "Bluebird Telecom", "CTO", "+65 6555 0150", "+65 9555 0151", "Email",
         "Mr."),
        ("Priya", "Nair", "Bluebird Telecom", "Head of Support", "+65 6555 0152", None,
         "Phone", "Ms."),
        ("Noah", "Tremblay", "Alder & Finch Retail", "E-commerce Director", "+1 416 555 0160",
         "+1 416 555 0161", "SMS", "Mr."),
        ("Yuki", "Sato", "Orchid Hospitality", "Guest Relations Manager", "+81 6 5555 0170",
         "+81 90 5555 0171", "WhatsApp", "Ms."),
        ("Mateus", "Costa", "Quantum Freight", "Logistics Coordinator", "+55 11 5555 0180",
         None, "WhatsApp", "Mr."),
    ]
    contacts = []
    for i, (first, last, account_name, title, phone, mobile, channel,
            sal) in enumerate(contacts_spec):
        a = acc[account_name]
        email = "%s.%s@%s" % (first.lower(), last.lower(), a["Website"].split("www.")[1])
        contacts.append(record("Contact", {
            "AccountId": a["Id"], "Salutation": sal, "FirstName": first, "LastName": last,
            "Name": first + " " + last, "Title": title, "Email": email, "Phone": phone,
            "MobilePhone": mobile, "LeadSource": LEAD_SOURCE[(i + 1) % len(LEAD_SOURCE)],
            "Birthdate": None if i % 3 else "19%02d-%02d-%02d" % (70 + i, 1 + i % 12, 3 + i),
            "OwnerId": a["OwnerId"], "Preferred_Channel__c": channel,
        }, created="2026-0%d-2%dT14:05:00.000+0000" % (1 + i % 9, i % 8),
            modified="2026-11-1%dT09:45:00.000+0000" % (i % 10), owner=a["OwnerId"]))
    con = {c["Name"]: c for c in contacts}

    leads_spec = [
        # first, last, company, status, source, rating, industry, revenue, conversation
        ("Hannah", "Berg", "Fjord Analytics", "Open - Not Contacted", "Web", "Hot",
         "Technology", 18000000, "conv-7f3a9c21"),
        ("Marco", "Rossi", "Trattoria Group", "Working - Contacted", "Phone Inquiry", "Warm",
         "Food & Beverage", 9500000, "conv-0b44e6d8"),
        ("Fatima", "Zahra", "Atlas Education", "Open - Not Contacted", "Partner Referral",
         "Warm", "Education", None, None),
        ("Kenji", "Mori", "Mori Engineering", "Closed - Not Converted", "Purchased List", "Cold",
         "Engineering", 4200000, None),
        ("Laura", "Schmidt", "Schmidt Media", "Working - Contacted", "Web", "Hot", "Media",
         27000000, "conv-93d1aa05"),
        ("Peter", "Novak", "Novak Construction", "Open - Not Contacted", "Other", None,
         "Construction", None, None),
        ("Chen", "Li", "Lotus Biotech", "Closed - Converted", "Web", "Hot", "Biotechnology",
         61000000, "conv-5c2e7719"),
        ("Sara", "Lindqvist", "Nordic Apparel", "Working - Contacted", "Phone Inquiry", "Cold",
         "Apparel", 12000000, None),
    ]
    leads = []
    for i, (first, last, company, status, source, rating, ind, rev,
            conv) in enumerate(leads_spec):
        slug = re.sub(r"[^a-z]", "", company.lower().split()[0])
        leads.append(record("Lead", {
            "FirstName": first, "LastName": last, "Name": first + " " + last,
            "Company": company, "Title": ["CEO", "COO", "Head of IT", "Owner"][i % 4],
            "Email": "%s.%s@%s.example" % (first.lower(), last.lower(), slug),
            "Phone": "+1 555 02%02d" % (30 + i),
            "MobilePhone": None if i % 2 else "+1 555 03%02d" % (30 + i),
            "Status": status, "LeadSource": source, "Rating": rating, "Industry": ind,
            "AnnualRevenue": rev, "NumberOfEmployees": [12, 45, 80, 230, 60, 18, 340, 55][i],
            "IsConverted": status == "Closed - Converted", "IsUnreadByOwner": i % 3 == 0,
            "OwnerId": uid(["arive", "bokaf", "dtana"][i % 3]),
            "ConnectFlo_Conversation_Id__c": conv,
        }, created="2026-11-%02dT1%d:10:00.000+0000" % (2 + 3 * i, i % 10),
            owner=uid("integ")))

    stage_info = {s[0]: s for s in STAGES}
    opps_spec = [
        # name, account, stage, amount, close date, type, contact
        ("Kestrel - Voice Platform Renewal", "Kestrel Banking Group", "Closed Won", 480000,
         "2026-02-27", "Existing Customer - Upgrade", "Olivia Hart"),
        ("Kestrel - Messaging Expansion", "Kestrel Banking Group", "Closed Won", 215000,
         "2026-06-30", "Existing Customer - Upgrade", "Sophie Laurent"),
        ("Kestrel - Analytics Add-on", "Kestrel Banking Group", "Closed Won", 96000.5,
         "2026-09-15", "Existing Customer - Upgrade", "Rahul Mehta"),
        ("Kestrel - EMEA Contact Center", "Kestrel Banking Group", "Negotiation/Review", 1250000,
         "2026-12-18", "Existing Customer - Upgrade", "Olivia Hart"),
        ("Brightwater - Claims Hotline", "Brightwater Insurance", "Proposal/Price Quote", 320000,
         "2026-12-31", "Existing Customer - Replacement", "James Whitaker"),
        ("Northwind - Driver SMS Alerts", "Northwind Logistics", "Value Proposition", 58000,
         "2027-01-29", "Existing Customer - Upgrade", "Diego Alvarez"),
        ("Helios - Customer Service Launch", "Helios Solar", "Qualification", 35000,
         "2027-02-26", "New Customer", "Lucia Navarro"),
        ("Bluebird - APAC Migration", "Bluebird Telecom", "Closed Lost", 900000, "2026-08-14",
         "Existing Customer - Replacement", "Wei Chen"),
        ("Granite - Plant Support Line", "Granite Manufacturing", "Prospecting", None,
         "2027-03-31", "New Customer", None),
        ("Orchid - Guest WhatsApp Concierge", "Orchid Hospitality", "Id. Decision Makers",
         74000, "2026-12-11", "Existing Customer - Upgrade", "Yuki Sato"),
    ]
    opps = []
    for i, (name, account_name, stage, amount, close, typ, contact_name) in enumerate(opps_spec):
        a = acc[account_name]
        _, prob, forecast, closed, won = stage_info[stage]
        opps.append(record("Opportunity", {
            "AccountId": a["Id"], "Name": name, "StageName": stage, "Amount": amount,
            "Probability": prob,
            "ExpectedRevenue": None if amount is None else round(amount * prob / 100, 2),
            "CloseDate": close, "Type": typ, "LeadSource": LEAD_SOURCE[i % len(LEAD_SOURCE)],
            "IsClosed": closed, "IsWon": won, "ForecastCategoryName": forecast,
            "OwnerId": a["OwnerId"], "IsPrivate": False,
            "ContactId": con[contact_name]["Id"] if contact_name else None,
            "NextStep": None if closed else ["Send proposal", "Security review",
                                             "Demo for stakeholders"][i % 3],
        }, created="2026-0%d-0%dT11:00:00.000+0000" % (1 + i % 9, 1 + i % 9),
            modified="2026-11-2%dT15:00:00.000+0000" % (i % 7), owner=a["OwnerId"]))

    cases_spec = [
        # contact, subject, status, priority, origin, product, sub product, escalated, reason
        ("Olivia Hart", "IVR menu drops callers after option 3", "Working", "High", "Phone",
         "Voice", "IVR", True, "SLA Breach"),
        ("Rahul Mehta", "Export of call recordings fails", "New", "Medium", "Email", "Voice",
         "Call Recording", False, "Not Escalated"),
        ("Grace Kim", "Web chat widget not loading on claims portal", "Escalated", "High",
         "Web", "Messaging", "Web Chat", True, "Churn Risk"),
        ("Diego Alvarez", "SMS delivery delays to Mexico", "Closed", "Medium", "Phone",
         "Messaging", "SMS", False, None),
        ("Thomas Reed", "Dashboard shows wrong time zone", "New", "Low", "Web", "Analytics",
         "Dashboards", False, None),
        ("Priya Nair", "API rate limits during peak hours", "Working", "High", "Email",
         "Analytics", "API Access", False, None),
        ("Yuki Sato", "WhatsApp templates rejected", "Closed", "Low", "Web", "Messaging",
         "WhatsApp", False, None),
        ("Noah Tremblay", "Request for SIP trunk capacity increase", "New", "Medium", "Phone",
         "Voice", "SIP Trunking", False, None),
    ]
    cases = []
    for i, (contact_name, subject, status, prio, origin, product, sub, escalated,
            reason) in enumerate(cases_spec):
        c = con[contact_name]
        a = [x for x in accounts if x["Id"] == c["AccountId"]][0]
        created = "2026-11-%02dT0%d:3%d:00.000+0000" % (10 + 2 * i, i % 10, i % 6)
        closed = status == "Closed"
        cases.append(record("Case", {
            "CaseNumber": "%08d" % (1001 + i), "ContactId": c["Id"], "AccountId": a["Id"],
            "ParentId": None, "Type": ["Electronic", "Other"][i % 2], "Status": status,
            "Reason": ["Performance", "Breakdown", "Feedback", "Other"][i % 4],
            "Origin": origin, "Subject": subject, "Priority": prio,
            "Description": "Reported through ConnectFlo. " + subject + ".",
            "IsClosed": closed,
            "ClosedDate": ("2026-11-%02dT17:00:00.000+0000" % (11 + 2 * i)) if closed else None,
            "IsEscalated": escalated, "OwnerId": uid("cmart"),
            "ContactPhone": c["Phone"], "ContactMobile": c["MobilePhone"],
            "ContactEmail": c["Email"],
            "ConnectFlo_Action_Id__c": "act-%04x-%04x" % (0x1a2b + i, 0x3c4d * (i + 1) % 65536)
            if i % 2 == 0 else None,
            "Product__c": product, "Sub_Product__c": sub, "Escalation_Reason__c": reason,
        }, created=created, modified=created, owner=uid("integ")))

    contracts_spec = [
        ("SC-Kestrel-2026", "Kestrel Banking Group", "Enterprise", "2026-01-01", "2026-12-31",
         350000, True, 1),
        ("SC-Brightwater-2026", "Brightwater Insurance", "Premium", "2026-04-01", "2027-03-31",
         120000, True, 4),
        ("SC-Bluebird-2025", "Bluebird Telecom", "Enterprise", "2025-01-01", "2025-12-31",
         280000, False, 2),
        ("SC-Bluebird-2026", "Bluebird Telecom", "Enterprise", "2026-01-01", "2026-12-31",
         295000, True, 1.5),
        ("SC-Northwind-2026", "Northwind Logistics", "Standard", "2026-02-01", None, 24000,
         True, 8),
    ]
    contracts = []
    for name, account_name, level, start, end, value, active, hours in contracts_spec:
        a = acc[account_name]
        contracts.append(record("Support_Contract__c", {
            "Name": name, "OwnerId": a["OwnerId"], "Account__c": a["Id"], "Level__c": level,
            "Start_Date__c": start, "End_Date__c": end, "Annual_Value__c": value,
            "Active__c": active, "Response_Time_Hours__c": hours,
        }, created=start + "T08:00:00.000+0000", owner=a["OwnerId"]))

    tasks_spec = [
        # subject, who (contact or lead name), what (record), status, type, call type, seconds
        ("Call", "Olivia Hart", cases[0], "Completed", "Call", "Inbound", 412),
        ("Call", "Grace Kim", cases[2], "Completed", "Call", "Inbound", 655),
        ("Send Quote", "James Whitaker", opps[4], "Not Started", "Email", None, None),
        ("Call", "Hannah Berg", None, "Completed", "Call", "Inbound", 198),
        ("Other", "Priya Nair", cases[5], "In Progress", "Other", None, None),
        ("Call", "Lucia Navarro", opps[6], "Waiting on someone else", "Call", "Outbound", 87),
        ("Send Letter", "Olivia Hart", contracts[0], "Deferred", "Other", None, None),
    ]
    lead_by_name = {l["Name"]: l for l in leads}
    tasks = []
    for i, (subject, who, what, status, typ, call_type, seconds) in enumerate(tasks_spec):
        who_rec = con.get(who) or lead_by_name[who]
        account_id = who_rec.get("AccountId")
        if what is not None and what["attributes"]["type"] == "Account":
            account_id = what["Id"]
        tasks.append(record("Task", {
            "WhoId": who_rec["Id"], "WhatId": what["Id"] if what else None,
            "Subject": subject, "ActivityDate": "2026-11-%02d" % (18 + i), "Status": status,
            "Priority": "High" if i in (0, 1) else "Normal", "IsHighPriority": i in (0, 1),
            "OwnerId": uid(["cmart", "cmart", "arive", "bokaf", "cmart", "bokaf", "arive"][i]),
            "Description": None, "AccountId": account_id, "IsClosed": status == "Completed",
            "IsArchived": False, "CallDurationInSeconds": seconds, "CallType": call_type,
            "Type": typ, "TaskSubtype": "Call" if typ == "Call" else "Task",
            "ConnectFlo_Conversation_Id__c": "conv-%08x" % (0x51a0c3 * (i + 3)) if typ == "Call"
            else None,
        }, created="2026-11-%02dT1%d:00:00.000+0000" % (18 + i, i), owner=uid("integ")))

    def result(records):
        return {"totalSize": len(records), "done": True, "records": records}

    return {
        "User": result(users), "Account": result(accounts), "Contact": result(contacts),
        "Lead": result(leads), "Opportunity": result(opps), "Case": result(cases),
        "Task": result(tasks), "Support_Contract__c": result(contracts),
    }


# ------------------------------------------------------------------------------------------
# seed.json: what the emulator needs beyond describes and records (docs/emulator-seed.md).

# Who may sign in. The password grant sends the password followed by the security token.
LOGINS = [
    # alias, password, security token, profile, API enabled, integration user (FLS applies)
    ("integ", "ConnectFlo-Integration-2026", "Vq3kM8zR2tLw9XbN4cJ7hPdA", "ConnectFlo Integration",
     True, True),
    ("arive", "Rivera-Admin-2026!", "Tn6Ys1Qe8Wm3Ku5Hb2Rz7Lfc", "System Administrator", True,
     False),
    ("bokaf", "Okafor-Sales-2026!", "Pg4Xd9Nc2Vb7Jq1Lm6Sa3Ekw", "Standard User", True, False),
    ("cmart", "Martin-Support-2026!", "Hy8Rf3Wa6Zn1Tc4Qk9Bd2Mvx", "Support Agent (no API)", False,
     False),
    ("dtana", "Tanaka-Sales-2026!", "Jm2Cb7Ke4Xs9Ap6Nw1Rt5Hgz", "Standard User", True, False),
]

# Fields the integration user's profile cannot see (field-level security): internal scores,
# personal data and contract finances. The emulator serves them to nobody through the API.
HIDDEN_FROM_INTEGRATION = {
    "Account": ["Health_Score__c"],
    "Contact": ["Birthdate", "HomePhone"],
    "Support_Contract__c": ["Annual_Value__c"],
}

VALIDATION_RULES = [
    # object, name, active, display field, message, formula, description
    ("Opportunity", "Closed_Won_Requires_Amount", True, "Amount",
     "A Closed Won opportunity must have an Amount.",
     'ISPICKVAL(StageName, "Closed Won") && ISBLANK(Amount)',
     "Revenue reporting needs the amount of every won deal."),
    ("Opportunity", "Amount_Not_Negative", True, "Amount", "Amount cannot be negative.",
     "Amount < 0", None),
    ("Opportunity", "Stage_Cannot_Reopen", True, None,
     "A closed opportunity cannot be moved back to an open stage.",
     "PRIORVALUE(IsClosed) && NOT(IsClosed)",
     "Uses PRIORVALUE, which the condition language lacks: listed by the Tooling API, not "
     "enforced by the emulator."),
    ("Account", "Annual_Revenue_Not_Negative", True, "AnnualRevenue",
     "Annual Revenue cannot be negative.", "AnnualRevenue < 0", None),
    ("Account", "Website_Must_Use_HTTPS", False, "Website",
     "The website must start with https://.",
     'NOT(ISBLANK(Website)) && NOT(BEGINS(Website, "https://"))',
     "Inactive until the data clean-up finishes."),
    ("Contact", "Email_Or_Phone_Required", True, None,
     "Enter an email address or a phone number so that the contact can be reached.",
     "ISBLANK(Email) && ISBLANK(Phone) && ISBLANK(MobilePhone)", None),
    ("Lead", "Hot_Lead_Needs_Phone_Or_Email", True, "Rating",
     "A Hot lead needs a phone number or an email address.",
     'ISPICKVAL(Rating, "Hot") && ISBLANK(Phone) && ISBLANK(Email)', None),
    ("Case", "Escalated_Case_Needs_Reason", True, "Escalation_Reason__c",
     "Choose an escalation reason for an escalated case.",
     "IsEscalated && ISBLANK(TEXT(Escalation_Reason__c))", None),
    ("Case", "Closed_Case_Needs_Description", False, "Description",
     "Describe the resolution before closing the case.",
     'ISPICKVAL(Status, "Closed") && ISBLANK(Description)', None),
    ("Support_Contract__c", "End_Date_After_Start_Date", True, "End_Date__c",
     "The end date must be on or after the start date.",
     "NOT(ISBLANK(End_Date__c)) && End_Date__c < Start_Date__c", None),
]

# EntityDefinition.DurableId: the object's name for standard objects, a 15-character Id for
# custom ones.
DURABLE_IDS = {"Support_Contract__c": "01IDn000001cTrc"}


def make_seed():
    users = []
    for alias, password, token, profile, api, integration in LOGINS:
        u = USERS_BY_ALIAS[alias]
        users.append({"Id": u["Id"], "Username": u["Username"], "Name": u["Name"],
                      "Email": u["Email"], "Profile": profile, "ApiEnabled": api,
                      "IntegrationUser": integration, "Password": password,
                      "SecurityToken": token})
    rules = []
    for n, (obj, name, active, display, message, formula, description) in enumerate(
            VALIDATION_RULES):
        rid = make_id("03d", n + 1)
        stamp = "2026-0%d-15T09:00:00.000+0000" % (3 + n % 6)
        rules.append({
            "attributes": {"type": "ValidationRule",
                           "url": "/services/data/%s/tooling/sobjects/ValidationRule/%s"
                                  % (API, rid)},
            "Id": rid, "EntityDefinitionId": DURABLE_IDS.get(obj, obj),
            "ValidationName": name, "Active": active, "Description": description,
            "ErrorDisplayField": display, "ErrorMessage": message, "NamespacePrefix": None,
            "ManageableState": "unmanaged", "CreatedDate": stamp, "CreatedById": uid("arive"),
            "LastModifiedDate": stamp, "LastModifiedById": uid("arive"),
            "FullName": "%s.%s" % (obj, name),
            "Metadata": {"active": active, "description": description,
                         "errorConditionFormula": formula, "errorDisplayField": display,
                         "errorMessage": message, "shouldEvaluateOnClient": None,
                         "urls": None},
        })
    return {
        "organization": {"Id": id18("00DDn000000CfDm"), "Name": "ConnectFlo Demo",
                         "InstanceName": "USA740", "OrganizationType": "Enterprise Edition",
                         "MyDomain": HOST, "DataAsOf": NOW},
        "users": users,
        "connectedApp": {
            "Name": "ConnectFlo Rules",
            "ConsumerKey": "3MVG9Kip4IKAZQEXPNwTYY6tEh_SJz8fmGv1qCRt5FmOdu3DyJ6Wbe.vLQx7hN2sA"
                           "ok4HgTcR0UmPzF1yXiDn",
            "ConsumerSecret": "8C1F5B0E7A9D3246F0B8E2C5A7D91F34B6E0C8A2D4F6183B5C7E9A0D2F4B6C8E",
            "CallbackUrl": "http://localhost:8765/oauth/callback",
            "Scopes": ["api", "refresh_token", "offline_access"],
        },
        "fieldLevelSecurity": {"integrationUser": {"hiddenFields": HIDDEN_FROM_INTEGRATION}},
        "validationRules": rules,
        "limits": {"DailyApiRequests": {"Max": 100000, "Remaining": 100000},
                   "AccessTokenTtlSeconds": 7200, "RotateRefreshTokens": False},
    }


def write(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    out = os.path.join(HERE, "describe")
    os.makedirs(out, exist_ok=True)
    for make in (account, contact, lead, opportunity, case, task, user, support_contract):
        d = make()
        write(os.path.join(out, d["name"] + ".json"), d)
    write(os.path.join(HERE, "records.json"), make_records())
    write(os.path.join(HERE, "seed.json"), make_seed())


if __name__ == "__main__":
    main()
