// The work of one login through a SAML proxy, done with samlify (the
// library public Flex SSO plugins use): verify the upstream IdP's signed
// response, read its attributes, and build and sign (Response and
// Assertion, RSA-SHA256) a new response for Flex.
//
//   node bench.js KEYDIR N
//
// KEYDIR holds idp.key/idp.crt (the upstream IdP) and bridge.key/bridge.crt
// (the proxy), PEM. It makes N upstream responses, prints "ready", then
// reads numbers from stdin: for each, it runs that many logins and prints
// the seconds they took. BenchmarkCompare in bench_test.go drives it, in
// rounds interleaved with the Go bridge's logins.
'use strict';
const fs = require('fs');
const path = require('path');
const samlify = require('samlify');

samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

const [dir, nArg] = process.argv.slice(2);
const n = Number(nArg);
const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const flexACS = 'https://iam.twilio.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/saml2';

const upstream = samlify.IdentityProvider({
  entityID: 'https://idp.example/metadata',
  privateKey: read('idp.key'),
  signingCert: read('idp.crt'),
  singleSignOnService: [{ Binding: REDIRECT, Location: 'https://idp.example/sso' }],
  requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
});
const proxyAsSP = samlify.ServiceProvider({
  entityID: 'https://bridge.example/saml/sp-metadata',
  assertionConsumerService: [{ Binding: POST, Location: 'https://bridge.example/saml/acs' }],
  wantAssertionsSigned: true,
  wantMessageSigned: true,
});
const proxyAsIdP = samlify.IdentityProvider({
  entityID: 'https://bridge.example/saml/metadata',
  privateKey: read('bridge.key'),
  signingCert: read('bridge.crt'),
  singleSignOnService: [{ Binding: REDIRECT, Location: 'https://bridge.example/saml/sso' }],
  requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
});
const flex = samlify.ServiceProvider({
  entityID: flexACS + '/metadata',
  assertionConsumerService: [{ Binding: POST, Location: flexACS }],
  wantAssertionsSigned: true,
  wantMessageSigned: true,
});

// attributes fills samlify's login response template with the user's
// attributes, as the public Flex SSO plugins do.
function withAttributes(idp, sp, requestID, attrs) {
  return (template) => {
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60 * 1000);
    const id = '_' + Math.random().toString(16).slice(2) + Date.now().toString(16);
    const statement = '<saml:AttributeStatement>' + Object.entries(attrs).map(([name, values]) =>
      `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
      values.map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${v}</saml:AttributeValue>`).join('') +
      '</saml:Attribute>').join('') + '</saml:AttributeStatement>';
    const acs = sp.entityMeta.getAssertionConsumerService(POST);
    const values = {
      ID: id, AssertionID: id + 'a', Destination: acs, Audience: sp.entityMeta.getEntityID(), EntityID: sp.entityMeta.getEntityID(),
      SubjectRecipient: acs, Issuer: idp.entityMeta.getEntityID(), IssueInstant: now.toISOString(),
      AssertionConsumerServiceURL: acs, StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(), ConditionsNotOnOrAfter: later.toISOString(),
      SubjectConfirmationDataNotOnOrAfter: later.toISOString(),
      NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', NameID: attrs.email[0],
      InResponseTo: requestID, AuthnStatement: '', AttributeStatement: '',
    };
    let xml = samlify.SamlLib.replaceTagsByValue(template, values);
    xml = xml.replace('</saml:Subject>', '</saml:Subject>').replace(/<\/saml:Assertion>/, statement + '</saml:Assertion>');
    return { id, context: xml };
  };
}

async function main() {
  const user = { email: ['quinn.qa@owlbank.example'], full_name: ['Quinn QA'], groups: ['CC-Leads', 'QA'], department: ['Quality'] };
  const responses = [];
  for (let i = 0; i < n; i++) {
    const { context } = await upstream.createLoginResponse(proxyAsSP, { extract: { request: { id: 'up-' + i } } }, 'post',
      { email: user.email[0] }, withAttributes(upstream, proxyAsSP, 'up-' + i, user));
    responses.push(context);
  }
  let next = 0;
  // login does what the bridge does for one login: verify, decide, sign.
  async function login() {
    const i = next++;
    const { extract } = await proxyAsSP.parseLoginResponse(upstream, 'post', { body: { SAMLResponse: responses[i] } });
    if (extract.response.inResponseTo !== 'up-' + i) throw new Error('InResponseTo ' + extract.response.inResponseTo);
    const groups = [].concat(extract.attributes.groups);
    const roles = groups.includes('CC-Leads') ? ['supervisor', 'agent', 'wfo.team_leader', 'wfo.quality_manager'] : ['agent'];
    const attrs = { roles, email: [].concat(extract.attributes.email), full_name: [].concat(extract.attributes.full_name) };
    await proxyAsIdP.createLoginResponse(flex, { extract: { request: { id: 'flex-' + i } } }, 'post',
      { email: attrs.email[0] }, withAttributes(proxyAsIdP, flex, 'flex-' + i, attrs));
  }
  // Each line on stdin is a number of logins to run; the answer is the
  // seconds they took, one line each.
  console.log('ready');
  const lines = require('readline').createInterface({ input: process.stdin });
  for await (const line of lines) {
    const k = Number(line);
    const start = process.hrtime.bigint();
    for (let j = 0; j < k; j++) await login();
    console.log(String(Number(process.hrtime.bigint() - start) / 1e9));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
