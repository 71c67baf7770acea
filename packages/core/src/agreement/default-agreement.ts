/**
 * The agreement `smarketing init` writes: a typical B2B SaaS company with HubSpot-style
 * lifecycle stages. Every section is present and explained for the RevOps person who adapts it.
 */
export const defaultAgreementYaml = `# Smarketing agreement
#
# Everything sales and marketing agree on, in one file: the funnel stages and who owns them,
# how leads are scored (fit and interest), what happens in each quadrant, who gets which lead,
# the two-way service-level agreement, feedback reasons, personas and revenue goals.
# Review changes with both teams, check them with \`smarketing check\`, and apply them as a new
# version. Every number Smarketing computes records the version that produced it.
#
# Ids (stages, teams, activities, reasons…) are lowercase words joined by dashes; other parts of
# the file refer to things by id. Labels are what people see.

name: Acme sales and marketing agreement
timezone: America/New_York # IANA name; SLA clocks and business hours use it
currency: USD # ISO 4217; targets, goals and expected value are in this currency

# ---------------------------------------------------------------------------------------------
# Teams. kind is marketing or sales. Leads are shared among a sales team's reps by capacity
# (a rep with capacity 2 gets twice the leads of a rep with 1); dailyCap limits new leads per
# day and away: true pauses a rep. Business hours and holidays pause SLA clocks that count
# business hours only. timezone is optional and defaults to the one above.
# ---------------------------------------------------------------------------------------------
teams:
  - id: demand-gen
    label: Demand generation
    kind: marketing
    manager: { name: Morgan Lee, email: morgan.lee@example.com }
  - id: inside-sales
    label: Inside sales
    kind: sales
    businessHours: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
    holidays: ["2027-01-01", "2027-07-05", "2027-11-25", "2027-12-24"]
    manager: { name: Jordan Park, email: jordan.park@example.com }
    reps:
      - { id: alex, name: Alex Rivera, email: alex.rivera@example.com, capacity: 1 }
      - { id: sam, name: Sam Chen, email: sam.chen@example.com, capacity: 1, dailyCap: 25 }
      - { id: riley, name: Riley Novak, email: riley.novak@example.com, capacity: 0.5 }
  - id: enterprise-sales
    label: Enterprise sales
    kind: sales
    timezone: America/Chicago
    businessHours: { days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00" }
    holidays: ["2027-01-01", "2027-07-05", "2027-11-25", "2027-12-24"]
    manager: { name: Casey Morgan, email: casey.morgan@example.com }
    reps:
      - { id: taylor, name: Taylor Brooks, email: taylor.brooks@example.com, capacity: 1 }
      - { id: jamie, name: Jamie Ortiz, email: jamie.ortiz@example.com, capacity: 1, away: false }

# ---------------------------------------------------------------------------------------------
# Stages: the funnel, in order. A contact is in exactly one stage. owner is marketing, sales or
# a team id. entry is the condition that moves a contact into the stage; moves lists where a
# contact may go next (stages, or detours). The first stage needs no entry rule.
#
# Conditions are a small language used here, in fit rules, routing and personas:
#   { all: [...] } / { any: [...] } / { not: ... }   combine conditions
#   { trait: employees, gte: 50 }   trait operators: equals, in, notIn, contains, gte, lte,
#                                   between: [low, high], exists: true|false (text ignores case)
#   { persona: id }  { quadrant: hot|nurture|fan|drop }  { fitGrade: [A, B] }
#   { activity: id, atLeast: 3, withinDays: 30 }
#   { feedback: accept|reject|recycle }   { deal: created|won|lost }
# ---------------------------------------------------------------------------------------------
stages:
  - id: subscriber
    label: Subscriber
    description: Opted in to hear from us (newsletter, blog) but told us little else.
    owner: marketing
    moves: [lead, mql]
  - id: lead
    label: Lead
    description: Raised a hand by filling in a form, downloading content or registering for an event.
    owner: marketing
    entry:
      any:
        - { activity: form-submitted }
        - { activity: content-downloaded }
        - { activity: webinar-registered }
    moves: [mql]
  - id: mql
    label: Marketing-qualified lead
    description: Good fit and clearly interested, or asked for a demo and is not a poor fit.
    owner: marketing
    entry:
      any:
        - { quadrant: hot }
        - all:
            - { activity: demo-requested }
            - { not: { fitGrade: [D] } }
    moves: [sql]
  - id: sql
    label: Sales-qualified lead
    description: A rep worked the lead and accepted it as worth pursuing.
    owner: sales
    entry: { feedback: accept }
    moves: [opportunity]
  - id: opportunity
    label: Opportunity
    description: A deal is open in the CRM.
    owner: sales
    entry: { deal: created }
    moves: [customer]
  - id: customer
    label: Customer
    description: The deal was won.
    owner: sales
    entry: { deal: won }

# ---------------------------------------------------------------------------------------------
# Detours: ways out of the main funnel. from lists the stages a contact can leave from;
# returnsTo is the stage it goes back to later (null: the detour is the end of the road).
# reasons says which feedback list the reason comes from; reasonRequired makes it mandatory.
# ---------------------------------------------------------------------------------------------
detours:
  - id: recycled
    label: Recycled
    from: [mql, sql]
    returnsTo: lead # back to nurturing after the reason's recycleAfterDays
    reasonRequired: true
    reasons: recycle
  - id: disqualified
    label: Disqualified
    from: [lead, mql, sql]
    returnsTo: null
    reasonRequired: true
    reasons: reject
  - id: lost
    label: Closed lost
    from: [opportunity]
    returnsTo: lead # lost deals go back to marketing to nurture
    reasonRequired: true
    reasons: lost

# ---------------------------------------------------------------------------------------------
# Fit: how well a contact matches the ideal customer, from who they are (traits and personas
# only). Every matching rule adds its points (negative points subtract). grades turn the score
# into letters; bands include both ends and must not overlap.
# ---------------------------------------------------------------------------------------------
fit:
  rules:
    - id: mid-market
      label: 50 to 999 employees
      when: { trait: employees, between: [50, 999] }
      points: 25
    - id: enterprise
      label: 1,000 employees or more
      when: { trait: employees, gte: 1000 }
      points: 30
    - id: target-industry
      label: Software, financial services or e-commerce
      when: { trait: industry, in: [Software, Financial Services, E-commerce] }
      points: 20
    - id: senior-title
      label: Director, VP or C-level
      when: { trait: seniority, in: [director, vp, c-level] }
      points: 20
    - id: decision-maker
      label: Decides or holds the budget
      when: { trait: buyingRole, in: [decision-maker, budget-holder] }
      points: 15
    - id: target-persona
      label: One of our personas
      when: { any: [{ persona: revops-leader }, { persona: marketing-leader }, { persona: sales-leader }] }
      points: 10
    - id: free-email
      label: Personal e-mail address
      when: { trait: emailType, equals: free }
      points: -20
    - id: student
      label: Student or job seeker
      when: { any: [{ trait: title, contains: student }, { trait: title, contains: intern }] }
      points: -50
  grades:
    - { grade: A, min: 70 }
    - { grade: B, min: 50, max: 69 }
    - { grade: C, min: 25, max: 49 }
    - { grade: D, max: 24 }

# ---------------------------------------------------------------------------------------------
# Interest: what a contact did. Each activity's points fade with time: after halfLifeDays they
# count half, after twice that a quarter. An activity matches events by Segment event name
# (events), page path (pages; * matches within a path segment, ** across segments) and/or
# Segment event type (types); every listed criterion must hold. cap limits the points one
# activity can add, groupCaps limit a group of activities, totalCap limits the whole score.
# frequency rules add points for repeated behaviour, e.g. many page views in a short time.
# ---------------------------------------------------------------------------------------------
interest:
  halfLifeDays: 30
  totalCap: 100
  activities:
    - id: demo-requested
      label: Requested a demo
      match: { events: [Demo Requested] }
      points: 50
    - id: pricing-viewed
      label: Viewed the pricing page
      match: { types: [page], pages: ["/pricing", "/pricing/**"] }
      points: 10
      cap: 30
      group: website
    - id: webinar-registered
      label: Registered for a webinar
      match: { events: [Webinar Registered] }
      points: 10
      cap: 20
      group: events
    - id: webinar-attended
      label: Attended a webinar
      match: { events: [Webinar Attended] }
      points: 20
      cap: 40
      group: events
    - id: content-downloaded
      label: Downloaded an e-book, report or template
      match: { events: [Content Downloaded] }
      points: 8
      cap: 24
    - id: form-submitted
      label: Submitted a form
      match: { events: [Form Submitted] }
      points: 5
      cap: 15
    - id: email-clicked
      label: Clicked a link in an e-mail
      match: { events: [Email Link Clicked] }
      points: 3
      cap: 15
    - id: page-viewed
      label: Viewed a page
      match: { types: [page] }
      points: 1
      cap: 10
      group: website
    - id: careers-viewed
      label: Viewed the careers pages (likely a job seeker)
      match: { types: [page], pages: ["/careers", "/careers/**", "/jobs/**"] }
      points: -10
    - id: unsubscribed
      label: Unsubscribed from e-mail
      match: { events: [Unsubscribed] }
      points: -30
  groupCaps:
    website: 35
    events: 50
  frequency:
    - id: frequent-visitor
      label: 15 or more page views in 30 days
      activity: page-viewed
      atLeast: 15
      withinDays: 30
      points: 15

# ---------------------------------------------------------------------------------------------
# Quadrants: fit × interest. A lead is a good fit when fit >= thresholds.fit and interested
# when interest >= thresholds.interest. hot = good fit and interested, nurture = good fit only,
# fan = interested only, drop = neither. action is hand-to-sales, nurture, low-touch-sales or
# suppress. Sales actions need firstTouchWithin (like 90m, 24h, 3d); businessHours: true counts
# only the owning team's business hours toward that deadline (3d then means three business days).
# ---------------------------------------------------------------------------------------------
quadrants:
  thresholds:
    fit: 50
    interest: 40
  hot:
    label: Hot
    action: hand-to-sales
    firstTouchWithin: 24h
    businessHours: false
  nurture:
    label: Nurture
    action: nurture
  fan:
    label: Fan
    action: low-touch-sales
    firstTouchWithin: 3d
    businessHours: true
  drop:
    label: Drop
    action: suppress

# ---------------------------------------------------------------------------------------------
# Routing: who gets a lead that goes to sales. In order: the account's owner (accountOwnerWins),
# the contact's existing owner (keepExistingOwner), the first matching rule, the team of the
# contact's persona, and finally defaultTeam. Within a team, reps take turns by capacity.
# ---------------------------------------------------------------------------------------------
routing:
  strategy: weighted-round-robin
  accountOwnerWins: true
  keepExistingOwner: true
  rules:
    - id: large-companies
      label: 1,000 employees or more go to enterprise sales
      when: { trait: employees, gte: 1000 }
      team: enterprise-sales
  defaultTeam: inside-sales

# ---------------------------------------------------------------------------------------------
# Service-level agreement, both ways, per period (week, month or quarter).
# Marketing delivers leads entering the given stage, measured in points (gradePoints per fit
# grade) or in expected value (chance of becoming a customer × average deal size); rejected
# leads with an invalidReasons reason do not count. Sales works a share of those leads with a
# qualifying touch before the quadrant's firstTouchWithin deadline; escalation steps fire
# the given time after a missed deadline.
# ---------------------------------------------------------------------------------------------
sla:
  period: month
  marketing:
    stage: mql
    measure: points
    target: 400
    gradePoints: { A: 3, B: 2, C: 1, D: 0 }
    teams:
      inside-sales: 250
      enterprise-sales: 150
    invalidReasons: [spam, duplicate, student, competitor]
  sales:
    workedWithinDeadline: 0.9
    qualifyingTouches: [call, email, meeting]
    escalation:
      - { after: 4h, action: notify-manager }
      - { after: 1d, action: reassign }

# ---------------------------------------------------------------------------------------------
# Feedback: the reasons a rep picks when rejecting, recycling or losing a lead. invalid: true
# marks leads that were never real (reports leave them out of lead quality); recycleAfterDays
# is how long a recycled lead rests before it returns.
# ---------------------------------------------------------------------------------------------
feedback:
  rejectReasons:
    - { id: spam, label: Spam or fake details, invalid: true }
    - { id: duplicate, label: Duplicate of an existing contact, invalid: true }
    - { id: student, label: Student or job seeker, invalid: true }
    - { id: competitor, label: Works for a competitor, invalid: true }
    - { id: no-budget, label: No budget }
    - { id: not-icp, label: Outside our ideal customer profile }
  recycleReasons:
    - { id: not-now, label: "Interested, but not this quarter", recycleAfterDays: 90 }
    - { id: no-response, label: No response after the agreed touches, recycleAfterDays: 30 }
    - { id: wrong-contact, label: "Right company, wrong person", recycleAfterDays: 14 }
  lostReasons:
    - { id: price, label: Price }
    - { id: competitor-won, label: Chose a competitor }
    - { id: no-decision, label: No decision or stalled }
    - { id: missing-feature, label: Missing a feature they need }

# ---------------------------------------------------------------------------------------------
# Personas: the people we sell to, shared by both teams. match decides who is which persona
# (traits only); team routes a persona to the team that specialises in it; pains are what hurts
# them, for messages and calls.
# ---------------------------------------------------------------------------------------------
personas:
  - id: revops-leader
    label: RevOps leader
    description: Runs the CRM, the funnel and the numbers; feels the sales-marketing gap daily.
    pains:
      - Two teams quote two different MQL counts in the same meeting
      - Lead routing rules live in people's heads
    match:
      any:
        - { trait: title, contains: revenue operations }
        - { trait: title, contains: revops }
  - id: marketing-leader
    label: Marketing leader
    description: Owns pipeline targets and the budget to reach them.
    pains:
      - Cannot show which campaigns turn into revenue
      - Leads handed to sales go unworked
    match:
      all:
        - { trait: department, equals: marketing }
        - { trait: seniority, in: [director, vp, c-level] }
  - id: sales-leader
    label: Sales leader
    description: Owns the quota and the team that works the leads.
    pains:
      - Reps waste time on leads that were never going to buy
    match:
      all:
        - { trait: department, equals: sales }
        - { trait: seniority, in: [director, vp, c-level] }
    team: enterprise-sales

# ---------------------------------------------------------------------------------------------
# Goals: revenue targets per period ("2027", "2027-Q1" or "2027-03"), in the currency above.
# With an average deal size, Smarketing works back from revenue to the opportunities, SQLs and
# MQLs needed, using the funnel's measured conversion rates.
# ---------------------------------------------------------------------------------------------
goals:
  - { period: "2027", amount: 4800000, averageDealSize: 24000 }
  - { period: 2027-Q1, amount: 1000000 }
  - { period: 2027-Q2, amount: 1150000 }
  - { period: 2027-Q3, amount: 1250000 }
  - { period: 2027-Q4, amount: 1400000 }
`;
