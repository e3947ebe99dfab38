/** The people who can sign in at the development issuer: any password is accepted for them. */
export interface DemoUser {
  login: string
  name: string
}

export const DEMO_USERS: readonly DemoUser[] = [
  { login: 'alice', name: 'Alice Example' },
  { login: 'bob', name: 'Bob Example' },
  { login: 'carol', name: 'Carol Example' },
]

export const demoUser = (login: string) => DEMO_USERS.find((user) => user.login === login)
