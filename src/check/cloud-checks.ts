import type { ProjectConfig } from '../config/load-config';
import { OtcAuthError, isOtcError } from '../otc/errors';
import type { BackupBackend } from '../otc/types';

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The credentials get a token and can list the backup policies of every configured project. When
 * IAM refuses them for every project the credentials are wrong, said once; when only some projects
 * are refused, the ids or the user's access to those projects are.
 */
export async function checkCloud(
  cloud: Pick<BackupBackend, 'listTargets'>,
  projects: readonly ProjectConfig[],
): Promise<readonly string[]> {
  const problems: string[] = [];
  const refused: string[] = [];
  for (const project of projects) {
    const label = `project ${project.name} (${project.id}, ${project.region})`;
    try {
      // A CBR project lists its vaults: the check reads what a request there would read.
      await cloud.listTargets({ id: project.id, region: project.region, service: project.service });
    } catch (e) {
      if (e instanceof OtcAuthError) {
        refused.push(
          `The cloud refused a token for ${label} (${describe(e)}): check the project id in the config and that ` +
            'the user OTC_USERNAME (or the key OTC_ACCESS_KEY) has access to that project.',
        );
        continue;
      }
      const what = project.service === 'cbr' ? 'the vaults' : 'the backup policies';
      const where = isOtcError(e) ? `${e.method} ${e.path}` : `listing ${what}`;
      problems.push(
        `Listing ${what} of ${label} failed (${where}: ${describe(e)}): check the project id and ` +
          `region, cloud.endpoints and the proxy settings, and that the user may read ${project.service === 'cbr' ? 'CBR vaults' : 'VBS policies'} in that project.`,
      );
    }
  }
  if (refused.length > 0 && refused.length === projects.length)
    return [
      'The cloud refused the credentials for every configured project: check OTC_USERNAME, OTC_PASSWORD and ' +
        'OTC_DOMAIN_NAME (or OTC_ACCESS_KEY and OTC_SECRET_KEY) and cloud.auth_url in the config.',
    ];
  return [...refused, ...problems];
}
