// A real OpenID Connect provider for the browser tests: the npm package oidc-provider
// (pinned in package.json's devDependencies, installed by `make assets`), on loopback only.
//
//   node tests/e2e/oidc/provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [REDIRECT_URI...]
//
// One confidential client (authorization code + PKCE), three test accounts (alice, bob,
// carol; any password: devInteractions is the provider's own login and consent form, for
// development and tests only). ID tokens carry email and name (conformIdTokenClaims off),
// which Streamlit's st.user reads. Prints "listening URL" once it accepts connections.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, ...redirectUris] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || redirectUris.length === 0) {
  console.error('usage: provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI...');
  process.exit(2);
}

const ACCOUNTS = {
  alice: { email: 'alice@example.org', name: 'Alice Analyst' },
  bob: { email: 'bob@example.org', name: 'Bob Negotiator' },
  carol: { email: 'carol@example.org', name: 'Carol Admin' },
};

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['sitmap-test-provider-cookie-key'] },
  async findAccount(ctx, id) {
    const known = ACCOUNTS[id];
    if (!known) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: known.email, email_verified: true, name: known.name };
      },
    };
  },
});
provider.proxy = false;

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
