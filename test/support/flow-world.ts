/**
 * The cast of the flow tests: one workspace, its people and channels, two cloud projects, and the
 * rules file that decides between them. Names say what each is for.
 */
import type { FakeCloud } from './fake-cloud';
import { asVolumeId } from '../../src/domain/ids';
import { policy, server, vault, volume } from './fake-cloud';
import type { FakePeople } from './fake-people';

export const TEAM = 'T0FLOWTEAM';
export const OTHER_TEAM = 'T0OTHERTEAM';

/** In @sre-oncall: allowed. */
export const ALICE = 'U0ALICE001';
/** In @backup-admins: the global approver. */
export const BOB = 'U0BOB00001';
/** A member no rule names: needs approval. */
export const DAVE = 'U0DAVE0001';
/** Approves the `critical` rule by user id. */
export const ERIN = 'U0ERIN0001';
/** A guest no rule names. */
export const GUEST = 'U0GUEST001';
/** A guest the `contractor` rule names. */
export const NAMED_GUEST = 'U0GUEST002';
export const BOT_USER = 'U0BOTUSER1';
export const DELETED_USER = 'U0GONE0001';
/** Slack does not know this one. */
export const STRANGER = 'U0STRANGE1';

export const INCIDENT = 'C0INC47110';
export const GENERAL = 'C0GENERAL1';
export const NO_BOT = 'C0NOBOT001';
export const ARCHIVED = 'C0ARCHIVE1';
export const DIRECT = 'D0DIRECT01';

export const PROD = '0123456789abcdef0123456789abcdef';
export const STAGING = 'fedcba9876543210fedcba9876543210';
/** A CBR project: volumes go into vaults. */
export const VAULTED = 'abcdef0123456789abcdef0123456789';

const uuid = (prefix: string, n: number) => `${prefix.padEnd(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const DAILY_7D = uuid('a0000001', 1);
export const WEEKLY_4W = uuid('a0000002', 2);
export const CRITICAL_HOURLY = uuid('a0000003', 3);
export const LEGACY_TAPE = uuid('a0000004', 4);
export const STAGING_DAILY = uuid('a0000005', 5);

export const DB_01 = uuid('5e000001', 1);
export const BIG_01 = uuid('5e000002', 2);
export const EMPTY_01 = uuid('5e000003', 3);
export const APP_A = uuid('5e000004', 4);
export const APP_B = uuid('5e000005', 5);

export const DB_DATA_1 = uuid('d0000001', 1);
export const DB_DATA_2 = uuid('d0000002', 2);
/** Attached to db-01, in status error. */
export const DB_LOG = uuid('d0000003', 3);
export const WEB_ROOT = uuid('d0000004', 4);
/** In status error, attached to nothing. */
export const BROKEN = uuid('d0000005', 5);
export const TWIN_A = uuid('d0000006', 6);
export const TWIN_B = uuid('d0000007', 7);
/** Six volumes on big-01: one more than a request may hold. */
export const BIG = [1, 2, 3, 4, 5, 6].map((n) => uuid('b1600000', n));
export const STAGE_DATA = uuid('d0000008', 8);

export const VAULT_DAILY = uuid('c0000001', 1);
export const VAULT_WEEKLY = uuid('c0000002', 2);
/** 100 GB of room: one 100 GB disk fits, two do not. */
export const VAULT_SMALL = uuid('c0000003', 3);
export const VAULT_CRITICAL = uuid('c0000004', 4);
/** In vault-weekly from the start. */
export const CBR_WEEKLY_DISK = uuid('cd000001', 1);
export const CBR_DISK_A = uuid('cd000002', 2);
export const CBR_DISK_B = uuid('cd000003', 3);

export const FLOW_CONFIG_YAML = `
slack:
  allowed_team_ids: [${TEAM}]
cloud:
  region: eu-de
projects:
  - { name: prod, id: ${PROD}, default: true }
  - { name: staging, id: ${STAGING} }
  - { name: vaulted, id: ${VAULTED}, service: cbr }
limits:
  max_volumes_per_request: 5
approvals:
  channel: C0APPROVAL
  approvers: { usergroups: [backup-admins] }
  ttl: 4h
  remind_after: 30m
rules:
  - { name: no-tape, policies: ["legacy-*"], decision: deny }
  - name: critical
    policies: ["critical-*"]
    decision: require_approval
    approvers: { users: [${ERIN}] }
    ttl: 1h
    require_reason: true
  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }
  - { name: contractor, users: [${NAMED_GUEST}], decision: allow }
  - { name: others-need-approval, everyone: true, decision: require_approval }
  - { name: sre-take-out, usergroups: [sre-oncall], actions: [disassociate], decision: allow }
  - { name: critical-vault-out, policies: ["vault-critical"], actions: [disassociate], decision: deny }
  - { name: others-take-out, everyone: true, actions: [associate, disassociate], decision: require_approval }
`;

/** Puts the cast into the fake directory. */
export function seedPeople(people: FakePeople): void {
  for (const id of [ALICE, BOB, DAVE, ERIN]) people.addUser(id);
  people.addUser(GUEST, { isGuest: true });
  people.addUser(NAMED_GUEST, { isGuest: true });
  people.addUser(BOT_USER, { isBot: true });
  people.addUser(DELETED_USER, { deleted: true });
  people.addToGroup('sre-oncall', ALICE);
  people.addToGroup('backup-admins', BOB);
  const everyone = [ALICE, BOB, DAVE, ERIN, GUEST, NAMED_GUEST, BOT_USER];
  people.addChannel(INCIDENT, { canPost: true, name: 'inc-4711' }, everyone);
  people.addChannel(GENERAL, { canPost: true, name: 'general' }, [ALICE, BOB]);
  people.addChannel(NO_BOT, { canPost: false, why: 'not_in_channel' }, everyone);
  people.addChannel(ARCHIVED, { canPost: false, why: 'archived' }, everyone);
  people.addChannel(DIRECT, { canPost: false, why: 'direct_message' }, [DAVE]);
}

/** Puts the two projects into the fake cloud. */
export function seedCloud(cloud: FakeCloud): void {
  const prod = cloud.project(PROD);
  prod.policies.push(
    policy(DAILY_7D, 'daily-7d'),
    policy(WEEKLY_4W, 'weekly-4w'),
    policy(CRITICAL_HOURLY, 'critical-hourly'),
    policy(LEGACY_TAPE, 'legacy-tape'),
  );
  prod.servers.push(
    server(DB_01, 'db-01'),
    server(BIG_01, 'big-01'),
    server(EMPTY_01, 'empty-01'),
    server(APP_A, 'app'),
    server(APP_B, 'app'),
  );
  prod.volumes.push(
    volume(DB_DATA_1, 'db-data-1', { serverId: DB_01 }),
    volume(DB_DATA_2, 'db-data-2', { serverId: DB_01, az: 'eu-de-02' }),
    volume(DB_LOG, 'db-log', { serverId: DB_01, status: 'error' }),
    volume(WEB_ROOT, 'web-root'),
    volume(BROKEN, 'broken-disk', { status: 'error' }),
    volume(TWIN_A, 'twin'),
    volume(TWIN_B, 'twin'),
    ...BIG.map((id, i) => volume(id, `big-${i + 1}`, { serverId: BIG_01 })),
  );
  const vaulted = cloud.project(VAULTED);
  vaulted.policies.push(
    vault(VAULT_DAILY, 'vault-daily'),
    vault(VAULT_WEEKLY, 'vault-weekly'),
    vault(VAULT_SMALL, 'vault-small', { capacityGb: 200, allocatedGb: 100 }),
    vault(VAULT_CRITICAL, 'vault-critical'),
  );
  vaulted.volumes.push(volume(CBR_WEEKLY_DISK, 'web-logs'), volume(CBR_DISK_A, 'cbr-a'), volume(CBR_DISK_B, 'cbr-b'));
  cloud.vaultVolumes(VAULT_WEEKLY).add(asVolumeId(CBR_WEEKLY_DISK));
  const staging = cloud.project(STAGING);
  staging.policies.push(policy(STAGING_DAILY, 'staging-daily'));
  staging.volumes.push(volume(STAGE_DATA, 'stage-data'));
}
