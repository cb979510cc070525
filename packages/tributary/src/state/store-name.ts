import { TributaryError } from '../errors.ts'

/**
 * Store names become changelog topic names (`<appId>-<name>-changelog`) and database names, so
 * they use Kafka's legal topic characters only.
 */
export const checkStoreName = (name: string): string => {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name)) {
    throw new TributaryError(
      'CONFIG',
      `store name ${JSON.stringify(name)} is invalid: use 1-200 of the characters A-Z a-z 0-9 . _ -`,
    )
  }
  return name
}
