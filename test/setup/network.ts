// Loaded before every test file (jest setupFiles): nock must patch the global fetch before any
// Slack WebClient is built. Tests never reach the internet; loopback (sandbox, Slack stand-in) is allowed.
import nock from 'nock';

nock.disableNetConnect();
nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
