/**
 * The image docker-compose.yml builds for a service: its Dockerfile read with the service's build
 * args, and the build context as .dockerignore leaves it.
 */
import { posix } from 'node:path'
import { buildOf } from './compose.ts'
import { copiesOf, instructionsOf, parseDockerfile, type Stage } from './dockerfile.ts'
import { exists, filesUnder, read } from './repository.ts'

export interface Image {
  /** The Dockerfile, relative to the repository root. */
  dockerfile: string
  buildArgs: Record<string, string>
  stages: Stage[]
  /** The stage the image is made of: the last one. */
  final: Stage
}

const images = new Map<string, Image>()

/** The image of a compose service, as `docker compose build` would make it. */
export function imageOf(name: string): Image {
  const cached = images.get(name)
  if (cached) return cached
  const { context, dockerfile, args } = buildOf(name)
  const path = posix.normalize(posix.join(context, dockerfile))
  if (!exists(path)) throw new Error(`${name} is built from ${path}, which does not exist`)
  const stages = parseDockerfile(read(path), args)
  const image = { dockerfile: path, buildArgs: args, stages, final: stages.at(-1) as Stage }
  images.set(name, image)
  return image
}

/** The port a service's image exposes, which compose must set as its PORT. */
export function exposedPort(name: string): string {
  const expose = instructionsOf(imageOf(name).final, 'EXPOSE')[0]
  return expose?.args.split(/[\s/]/)[0] ?? ''
}

/** .dockerignore as Docker applies it: patterns from the context root, `**`, and `!` exceptions. */
export function dockerignore(): (path: string) => boolean {
  const rules = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!')
      const pattern = posix.normalize(line.slice(negated ? 1 : 0).replace(/^\/+/, '')).replace(/\/+$/, '')
      const source = pattern
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?'
          if (part === '**') return '.*'
          if (part === '*') return '[^/]*'
          if (part === '?') return '[^/]'
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&')
        })
        .join('')
      return { negated, regex: new RegExp(`^${source}$`) }
    })
  return (path) => {
    const segments = posix.normalize(path).split('/')
    // A path is left out when it or a folder above it matches; the last matching rule wins.
    const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'))
    let excluded = false
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negated
    }
    return excluded
  }
}

/** The files a stage copies from the build context: everything under its sources that is not ignored. */
export function shippedFiles(stage: Stage, ignored: (path: string) => boolean): string[] {
  return copiesOf(stage)
    .filter((copy) => copy.from === undefined)
    .flatMap((copy) => copy.sources.flatMap((source) => filesUnder(posix.normalize(source))))
    .filter((file) => !ignored(file))
}
