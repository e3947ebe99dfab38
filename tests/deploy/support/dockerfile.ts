/**
 * A Dockerfile read the way BuildKit reads it for one set of build args: instructions by stage,
 * ARG scoping (a stage sees only the args it declares), and variables expanded where Docker
 * expands them. Enough to check a parameterised Dockerfile without a Docker engine.
 */
import { basename, posix } from 'node:path'
import { isDirectory } from './repository.ts'

export interface Instruction {
  keyword: string
  /** `--name=value` options before the arguments. */
  flags: Record<string, string>
  /** The arguments as the build uses them (see EXPANDED); CMD and HEALTHCHECK stay as written. */
  args: string
  /** Variables the instruction expands that have no value in its stage (an undeclared ARG). */
  unset: string[]
  line: number
}
export interface Stage {
  image: string
  name?: string
  /** The build args this stage declares, with the value the build gives them. */
  args: Record<string, string | undefined>
  /** ENV set so far: for the last stage, the environment the container starts with. */
  env: Record<string, string>
  instructions: Instruction[]
}

/** Instructions Docker expands `$VAR` in; RUN is expanded too, by the build's shell. */
const EXPANDED = new Set([
  'ADD',
  'ARG',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'ONBUILD',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
  'RUN',
])

/** `$VAR`, `${VAR}`, `${VAR:-word}` and `${VAR:+word}`; a name without a value is reported. */
export function expand(text: string, vars: Record<string, string | undefined>, unset: string[] = []): string {
  return text.replace(
    /\$\{(\w+)(?::?([-+])([^}]*))?\}|\$(\w+)/g,
    (_, braced?: string, operator?: string, word?: string, bare?: string) => {
      const name = (braced ?? bare) as string
      const value = vars[name]
      if (operator === '-') return value ? value : (word ?? '')
      if (operator === '+') return value ? (word ?? '') : ''
      if (value === undefined) unset.push(name)
      return value ?? ''
    },
  )
}

/** Logical lines: comments dropped, continuation lines joined. */
function logicalLines(text: string): { keyword: string; rest: string; line: number }[] {
  const lines: { keyword: string; rest: string; line: number }[] = []
  let pending = ''
  let startLine = 0
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd()
    if (/^\s*#/.test(line) || (pending === '' && line.trim() === '')) return
    if (pending === '') startLine = index + 1
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `
      return
    }
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/s.exec((pending + line).trim()) ?? []
    pending = ''
    lines.push({ keyword: keyword.toUpperCase(), rest, line: startLine })
  })
  return lines
}

/** The build args a Dockerfile declares anywhere, and whether each has a default. */
export function declaredArgs(text: string): Map<string, boolean> {
  const declared = new Map<string, boolean>()
  for (const { rest } of logicalLines(text).filter((line) => line.keyword === 'ARG')) {
    for (const declaration of rest.split(/\s+/).filter(Boolean)) {
      const [name = '', ...value] = declaration.split('=')
      declared.set(name, (declared.get(name) ?? false) || value.length > 0)
    }
  }
  return declared
}

/** The Dockerfile's stages as a build with these `--build-arg`s sees them. */
export function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Stage[] {
  const globalArgs: Record<string, string | undefined> = {}
  const stages: Stage[] = []
  for (const { keyword, rest, line } of logicalLines(text)) {
    const stage = stages.at(-1)
    // FROM sees only the args declared before the first FROM; in a stage, ENV wins over an ARG.
    const vars = stage && keyword !== 'FROM' ? { ...stage.args, ...stage.env } : globalArgs
    const unset: string[] = []
    let args = EXPANDED.has(keyword) ? expand(rest, vars, unset) : rest
    const flags: Record<string, string> = {}
    for (
      let flag = /^--([\w-]+)(?:=(\S*))?\s+/.exec(args);
      flag;
      flag = /^--([\w-]+)(?:=(\S*))?\s+/.exec(args)
    ) {
      flags[flag[1] as string] = flag[2] ?? ''
      args = args.slice(flag[0].length)
    }
    args = args.trim()
    if (keyword === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/)
      const parent = stages.find((candidate) => candidate.name !== undefined && candidate.name === image)
      stages.push({
        image,
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        args: {},
        env: { ...parent?.env },
        instructions: [],
      })
      continue
    }
    if (keyword === 'ARG') {
      for (const declaration of args.split(/\s+/).filter(Boolean)) {
        const [name = '', ...value] = declaration.split('=')
        const fallback = value.length > 0 ? value.join('=') : stage ? globalArgs[name] : undefined
        ;(stage ? stage.args : globalArgs)[name] = buildArgs[name] ?? fallback
      }
    }
    if (keyword === 'ENV' && stage) {
      for (const match of args.matchAll(/(\w+)=(?:"([^"]*)"|'([^']*)'|(\S*))/g)) {
        stage.env[match[1] as string] = match[2] ?? match[3] ?? match[4] ?? ''
      }
    }
    // RUN's own shell variables ($?, a loop's) are not the Dockerfile's to declare.
    stage?.instructions.push({ keyword, flags, args, unset: keyword === 'RUN' ? [] : unset, line })
  }
  return stages
}

export const instructionsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword)

/** Exec form (`["a", "b"]`) or the words of the shell form. */
export function words(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean)
}

/** The words of a simple shell command, quotes removed and `$VAR` expanded from `env`. */
export function shellWords(script: string, env: Record<string, string>): string[] {
  const result: string[] = []
  let current: string | undefined
  for (const match of script.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\s+)|([^\s'"]+)/g)) {
    if (match[3] !== undefined) {
      if (current !== undefined) result.push(current)
      current = undefined
      continue
    }
    const piece = match[1] ?? expand(match[2] ?? match[4] ?? '', env).replace(/\\(.)/g, '$1')
    current = (current ?? '') + piece
  }
  if (current !== undefined) result.push(current)
  return result
}

/**
 * What ends up as PID 1 from the last CMD: a shell (the shell form, or `sh -c` without `exec`)
 * stays PID 1 and does not pass SIGTERM on; `sh -c "exec …"` replaces itself with the command.
 */
export function pidOneCommand(stage: Stage): string[] {
  const cmd = instructionsOf(stage, 'CMD').at(-1)
  if (cmd === undefined) return []
  const argv = cmd.args.startsWith('[') ? words(cmd.args) : ['/bin/sh', '-c', cmd.args]
  if (!/^(\/bin\/)?(ba|da)?sh$/.test(argv[0] ?? '') || argv[1] !== '-c') return argv
  const script = shellWords(argv[2] ?? '', stage.env)
  return script[0] === 'exec' ? script.slice(1) : argv
}

export const workdirOf = (stage: Stage) => instructionsOf(stage, 'WORKDIR').at(-1)?.args ?? '/'

export interface Copy {
  from?: string
  sources: string[]
  destination: string
}
export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')
    .map((instruction) => {
      const parts = words(instruction.args)
      const destination = parts.pop() as string
      return {
        ...(instruction.flags.from ? { from: instruction.flags.from } : {}),
        sources: parts,
        destination,
      }
    })
}

/** Where a COPY from the context puts a source, relative to WORKDIR (directories: their content). */
export function copiedTo(source: string, destination: string): string {
  if (isDirectory(source) || !/\/$|^\.$/.test(destination))
    return posix.normalize(destination).replace(/\/$/, '')
  return posix.normalize(posix.join(destination, basename(source)))
}
