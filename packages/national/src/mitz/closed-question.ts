// The Mitz closed authorisation question ("gesloten autorisatievraag", OTV): an XACML 3.0
// authorisation decision query (SAML 2.0 profile of XACML, IHE APPC attribute ids) in a SOAP 1.2
// envelope with WS-Addressing, and its answer (Permit, Deny, NotApplicable, Indeterminate).
// Attribute ids, categories and data types follow the published example message
// (nuts-knooppunt component/mitz/xacml/example/example.xml, commit 9beca4c). Only a decision comes
// back: Mitz never discloses the client's choices themselves.
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { isValidBsn } from '@ketenlog/fhir';
import { CLOSED_QUESTION_EVENT, OID } from './codes.ts';

export const XACML_NS = 'urn:oasis:names:tc:xacml:3.0:core:schema:wd-17';
export const SOAP_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const CLOSED_QUESTION_PATH = '/geslotenautorisatievraag/xacml3';

/** OTV purposes of use: treatment with explicit consent, or continuity of care (assumed consent). */
export type MitzPurpose = 'TREAT' | 'COC';

export interface ClosedQuestion {
  readonly bsn: string;
  /** The organisation holding the data (author institution) and its care provider type. */
  readonly holder: { readonly ura: string; readonly facilityType: string };
  /** Who asks: her organisation, its care provider type, her UZI role and her identifier. */
  readonly requester: {
    readonly ura: string;
    readonly facilityType: string;
    readonly role: string;
    readonly professional: string;
  };
  readonly purpose: MitzPurpose;
}

export type MitzDecision = 'Permit' | 'Deny' | 'NotApplicable' | 'Indeterminate';
const DECISIONS: readonly MitzDecision[] = ['Permit', 'Deny', 'NotApplicable', 'Indeterminate'];

export class InvalidClosedQuestion extends Error {}

const URA = /^\d{8}$/;
const CODE = /^[A-Za-z0-9.]{1,16}$/;
const PROFESSIONAL = /^[A-Za-z0-9._:-]{1,64}$/;

/** Refuses a question Mitz would refuse, before it leaves (every attribute is required). */
export function checkClosedQuestion(q: ClosedQuestion): void {
  const problems: string[] = [];
  if (!isValidBsn(q.bsn)) problems.push('BSN');
  if (!URA.test(q.holder.ura)) problems.push('URA of the holder');
  if (!URA.test(q.requester.ura)) problems.push('URA of the requester');
  if (!CODE.test(q.holder.facilityType)) problems.push('facility type of the holder');
  if (!CODE.test(q.requester.facilityType)) problems.push('facility type of the requester');
  if (!CODE.test(q.requester.role)) problems.push('role');
  if (!PROFESSIONAL.test(q.requester.professional)) problems.push('professional');
  if (q.purpose !== 'TREAT' && q.purpose !== 'COC') problems.push('purpose of use');
  if (problems.length) throw new InvalidClosedQuestion(`closed question: invalid ${problems.join(', ')}`);
}

const escape = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ii = (id: string, root: string, extension: string, authority?: string) => `
        <Attribute AttributeId="${id}" IncludeInResult="true">
          <AttributeValue DataType="urn:hl7-org:v3#II">
            <InstanceIdentifier xmlns="urn:hl7-org:v3" root="${root}" extension="${escape(extension)}"${
              authority ? ` assigningAuthorityName="${authority}"` : ''
            }/>
          </AttributeValue>
        </Attribute>`;

const cv = (id: string, codeSystem: string, code: string) => `
        <Attribute AttributeId="${id}" IncludeInResult="true">
          <AttributeValue DataType="urn:hl7-org:v3#CV">
            <CodedValue xmlns="urn:hl7-org:v3" code="${escape(code)}" codeSystem="${codeSystem}"/>
          </AttributeValue>
        </Attribute>`;

/** The SOAP envelope of one closed question; `messageId` goes into wsa:MessageID (logged by Mitz). */
export function closedQuestionXml(q: ClosedQuestion, to: string, messageId: string = randomUUID()): string {
  checkClosedQuestion(q);
  return `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="${SOAP_NS}" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:xacml-samlp="urn:oasis:names:tc:xacml:3.0:profile:saml2.0:v2:schema:protocol:wd-14">
  <soap:Header>
    <wsa:Action>XACMLAuthorizationDecisionQueryRequest</wsa:Action>
    <wsa:MessageID>urn:uuid:${escape(messageId)}</wsa:MessageID>
    <wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>
    <wsa:To>${escape(to)}</wsa:To>
  </soap:Header>
  <soap:Body>
    <xacml-samlp:XACMLAuthzDecisionQuery>
      <Request xmlns="${XACML_NS}" CombinedDecision="false" ReturnPolicyIdList="false">
      <Attributes Category="urn:oasis:names:tc:xacml:3.0:attribute-category:resource" xml:id="resource">${ii(
        'urn:oasis:names:tc:xacml:2.0:resource:resource-id',
        OID.bsn,
        q.bsn,
      )}${cv('urn:ihe:iti:appc:2016:document-entry:healthcare-facility-type-code', OID.facilityType, q.holder.facilityType)}${ii(
        'urn:ihe:iti:appc:2016:author-institution:id',
        OID.ura,
        q.holder.ura,
      )}
      </Attributes>
      <Attributes Category="urn:oasis:names:tc:xacml:3.0:attribute-category:action" xml:id="action0">${cv(
        'urn:ihe:iti:appc:2016:document-entry:event-code',
        OID.eventCode,
        CLOSED_QUESTION_EVENT,
      )}
      </Attributes>
      <Attributes Category="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject" xml:id="subject">${cv(
        'urn:oasis:names:tc:xacml:2.0:subject:role',
        OID.uziRole,
        q.requester.role,
      )}${ii('urn:ihe:iti:xua:2017:subject:provider-identifier', OID.uziPerson, q.requester.professional, 'CIBG')}${ii(
        'urn:nl:otv:names:tc:1.0:subject:provider-institution',
        OID.ura,
        q.requester.ura,
      )}${cv('urn:nl:otv:names:tc:1.0:subject:consulting-healthcare-facility-type-code', OID.facilityType, q.requester.facilityType)}
      </Attributes>
      <Attributes Category="urn:oasis:names:tc:xacml:3.0:attribute-category:environment" xml:id="environment">${cv(
        'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse',
        OID.purposeOfUse,
        q.purpose,
      )}
      </Attributes>
      </Request>
    </xacml-samlp:XACMLAuthzDecisionQuery>
  </soap:Body>
</soap:Envelope>`;
}

// Namespace prefixes differ between senders; the names below the prefixes do not.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  isArray: (name) => name === 'Attributes' || name === 'Attribute' || name === 'Result',
});

export class InvalidMitzMessage extends Error {}

function parse(xml: string): Record<string, unknown> {
  try {
    return parser.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidMitzMessage(`not well-formed XML: ${(error as Error).message}`);
  }
}

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value.trim()
    : typeof value === 'object' && value && '#text' in value
      ? String((value as { '#text': unknown })['#text']).trim()
      : undefined;

/** The decision of a closed question's answer (the SOAP envelope Mitz returns). */
export function parseDecision(xml: string): MitzDecision {
  const doc = parse(xml) as { Envelope?: { Body?: { Response?: { Result?: { Decision?: unknown }[] } } } };
  const results = doc.Envelope?.Body?.Response?.Result;
  if (!results?.length) throw new InvalidMitzMessage('answer without a XACML Response/Result');
  const decision = textOf(results[0]!.Decision);
  if (!decision) throw new InvalidMitzMessage('answer without a Decision');
  if (!(DECISIONS as readonly string[]).includes(decision))
    throw new InvalidMitzMessage(`unknown decision "${decision}"`);
  return decision as MitzDecision;
}

interface XacmlAttribute {
  readonly '@AttributeId'?: string;
  readonly AttributeValue?: {
    readonly InstanceIdentifier?: { readonly '@extension'?: string; readonly '@root'?: string };
    readonly CodedValue?: { readonly '@code'?: string; readonly '@codeSystem'?: string };
  };
}

/**
 * Reads a closed question back (the stand-in's side, and a check that what we send says what we
 * mean): the attribute values by their XACML attribute id.
 */
export function readClosedQuestion(xml: string): ClosedQuestion {
  const doc = parse(xml) as {
    Envelope?: {
      Body?: { XACMLAuthzDecisionQuery?: { Request?: { Attributes?: { Attribute?: XacmlAttribute[] }[] } } };
    };
  };
  const groups = doc.Envelope?.Body?.XACMLAuthzDecisionQuery?.Request?.Attributes;
  if (!groups?.length) throw new InvalidMitzMessage('no XACMLAuthzDecisionQuery/Request');
  const values = new Map<string, string>();
  for (const attribute of groups.flatMap((g) => g.Attribute ?? [])) {
    const v = attribute.AttributeValue;
    const value = v?.InstanceIdentifier?.['@extension'] ?? v?.CodedValue?.['@code'];
    if (attribute['@AttributeId'] && value !== undefined) values.set(attribute['@AttributeId'], value);
  }
  const get = (id: string) => values.get(id) ?? '';
  const question: ClosedQuestion = {
    bsn: get('urn:oasis:names:tc:xacml:2.0:resource:resource-id'),
    holder: {
      ura: get('urn:ihe:iti:appc:2016:author-institution:id'),
      facilityType: get('urn:ihe:iti:appc:2016:document-entry:healthcare-facility-type-code'),
    },
    requester: {
      ura: get('urn:nl:otv:names:tc:1.0:subject:provider-institution'),
      facilityType: get('urn:nl:otv:names:tc:1.0:subject:consulting-healthcare-facility-type-code'),
      role: get('urn:oasis:names:tc:xacml:2.0:subject:role'),
      professional: get('urn:ihe:iti:xua:2017:subject:provider-identifier'),
    },
    purpose: get('urn:oasis:names:tc:xspa:1.0:subject:purposeofuse') as MitzPurpose,
  };
  if (get('urn:ihe:iti:appc:2016:document-entry:event-code') !== CLOSED_QUESTION_EVENT)
    throw new InvalidMitzMessage('the event code is not the closed question (GGC002)');
  try {
    checkClosedQuestion(question);
  } catch (error) {
    throw new InvalidMitzMessage((error as Error).message);
  }
  return question;
}

/** A closed question's answer as Mitz sends it. */
export function decisionXml(decision: MitzDecision): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="${SOAP_NS}">
  <s:Body>
    <Response xmlns="${XACML_NS}">
      <Result>
        <Decision>${decision}</Decision>
        <Status><StatusCode Value="urn:oasis:names:tc:xacml:1.0:status:ok"/></Status>
      </Result>
    </Response>
  </s:Body>
</s:Envelope>`;
}
