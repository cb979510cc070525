import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { CaseOutput } from './compat-case.ts'

const javaDir = join(import.meta.dirname, 'java')
const classesDir = join(javaDir, 'target', 'classes')
const classpathFile = join(javaDir, 'target', 'classpath.txt')

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name)
      return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs
    }),
  )
}

/** Compiles the Java runner with Maven unless its classes are newer than its sources (pom included). */
function build(): void {
  const sources = Math.max(statSync(join(javaDir, 'pom.xml')).mtimeMs, newestSource(join(javaDir, 'src')))
  if (existsSync(classpathFile) && statSync(classpathFile).mtimeMs > sources) return
  execFileSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', join(javaDir, 'pom.xml'), 'compile'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
}

/**
 * Runs every case in `casesDir` through Kafka Streams' own TopologyTestDriver (one JVM for all)
 * and returns each case's outputs by case name. Needs Java 17+ and Maven (the first build
 * fetches kafka-streams from Maven Central into ~/.m2).
 */
export function runOnKafkaStreams(casesDir: string): Record<string, CaseOutput[]> {
  build()
  const classpath = `${classesDir}:${readFileSync(classpathFile, 'utf8').trim()}`
  const stdout = execFileSync('java', ['-cp', classpath, 'dev.tributary.compat.Main', casesDir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(stdout) as Record<string, CaseOutput[]>
}
