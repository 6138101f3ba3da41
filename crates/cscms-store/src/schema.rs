//! Table definitions shared by both backends: only portable types (Text,
//! BigInt, Integer, Bool, Date, Timestamp), so one query serves both.

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        state -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    nodal_officers (id) {
        id -> BigInt,
        org_id -> Text,
        sub -> Text,
        name -> Text,
        designation -> Text,
        email -> Text,
        role -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    employees (code) {
        code -> Text,
        name -> Text,
        cadre -> Text,
        grade -> Text,
        service_group -> Text,
        pay_level -> Text,
        pay_cell -> Integer,
        date_of_birth -> Date,
        joined_government_on -> Date,
        joined_entry_grade_on -> Date,
        joined_present_grade_on -> Date,
        org_id -> Text,
        station -> Text,
        station_state -> Text,
        gender -> Text,
        category -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_events (id) {
        id -> BigInt,
        employee_code -> Text,
        kind -> Text,
        effective_on -> Date,
        from_grade -> Nullable<Text>,
        to_grade -> Nullable<Text>,
        from_level -> Nullable<Text>,
        to_level -> Nullable<Text>,
        from_grade_pay -> Nullable<Integer>,
        to_grade_pay -> Nullable<Integer>,
        order_ref -> Text,
        remarks -> Nullable<Text>,
        postponement_days -> Nullable<Integer>,
    }
}

diesel::table! {
    nfs_due (employee_code) {
        employee_code -> Text,
        completes_on -> Date,
    }
}

diesel::table! {
    kept_dates_revision (id) {
        id -> Integer,
        revision -> Text,
    }
}

diesel::table! {
    macp_due (id) {
        id -> BigInt,
        employee_code -> Text,
        due_on -> Date,
        known_from -> Nullable<Date>,
        known_until -> Nullable<Date>,
        upgrade -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_sub -> Text,
        actor_role -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        org_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Text,
    }
}

diesel::table! {
    change_events (id) {
        id -> BigInt,
        at -> Timestamp,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        org_id -> Nullable<Text>,
        audit_id -> BigInt,
        /// The writing transaction on PostgreSQL; 0 on SQLite (feed order).
        txid -> BigInt,
    }
}

diesel::table! {
    vigilance_statuses (id) {
        id -> BigInt,
        employee_code -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        reason_text -> Nullable<Text>,
        effective_from -> Date,
        order_ref -> Nullable<Text>,
        recorded_by -> Text,
        recorded_role -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    ipr_returns (id) {
        id -> BigInt,
        employee_code -> Text,
        year -> Integer,
        revision -> Integer,
        revises -> Nullable<Integer>,
        filed_on -> Date,
        due_on -> Date,
        late -> Bool,
        nil -> Bool,
        properties_json -> Text,
        filed_by -> Text,
        filed_at -> Timestamp,
        receipt_ref -> Nullable<Text>,
    }
}

diesel::joinable!(employees -> organisations (org_id));
diesel::joinable!(service_events -> employees (employee_code));
diesel::joinable!(macp_due -> employees (employee_code));
diesel::joinable!(nodal_officers -> organisations (org_id));
diesel::joinable!(change_events -> audit_log (audit_id));
diesel::joinable!(vigilance_statuses -> employees (employee_code));
diesel::joinable!(ipr_returns -> employees (employee_code));

diesel::table! {
    profiles (employee_code) {
        employee_code -> Text,
        status -> Text,
        data -> Text,
        version -> BigInt,
        submitted_at -> Nullable<Timestamp>,
        first_submitted_at -> Nullable<Timestamp>,
        validated_at -> Nullable<Timestamp>,
        validated_by -> Nullable<Text>,
        returned_reasons -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    validation_rounds (id) {
        id -> BigInt,
        opened_by -> Text,
        opened_at -> Timestamp,
        deadline -> Timestamp,
        orgs -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    working_strength_sets (org_id) {
        org_id -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
        validated_at -> Nullable<Timestamp>,
        validated_by -> Nullable<Text>,
        unvalidated_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    working_strength (org_id, cadre, grade) {
        org_id -> Text,
        cadre -> Text,
        grade -> Text,
        sanctioned -> Integer,
    }
}

diesel::joinable!(profiles -> employees (employee_code));

diesel::table! {
    apars (id) {
        id -> BigInt,
        employee_code -> Text,
        period_from -> Date,
        period_to -> Date,
        grading -> Nullable<Text>,
        numeric_grade -> Nullable<Text>,
        expert_grading -> Nullable<Text>,
        expert_note -> Nullable<Text>,
        rep_decided_on -> Nullable<Date>,
        rep_grading_before -> Nullable<Text>,
        rep_numeric_before -> Nullable<Text>,
        rep_adverse_remarks_expunged -> Bool,
        source -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    empanelment_batches (id) {
        id -> BigInt,
        service -> Text,
        batch_year -> Integer,
        empanelment_year -> Integer,
        cut_off_year -> Integer,
        panel_size -> Integer,
        ais_first_sag_on -> Nullable<Date>,
        relaxed_min_score -> Nullable<Text>,
        shares_json -> Text,
        preceding_json -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    empanelment_proposals (id) {
        id -> BigInt,
        batch_id -> BigInt,
        officer_id -> Text,
        employee_code -> Nullable<Text>,
        apars_from_store -> Bool,
        proposal_json -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    empanelment_runs (id) {
        id -> BigInt,
        batch_id -> BigInt,
        seq -> Integer,
        as_of -> Date,
        officers -> Integer,
        empanelled_initial -> Integer,
        pulled_up -> Integer,
        cut_off -> Nullable<Text>,
        cut_off_officer -> Nullable<Text>,
        inputs_json -> Text,
        result_json -> Text,
        changes_json -> Nullable<Text>,
        run_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(apars -> employees (employee_code));
diesel::joinable!(empanelment_proposals -> empanelment_batches (batch_id));
diesel::joinable!(empanelment_runs -> empanelment_batches (batch_id));

diesel::table! {
    foreign_visits (id) {
        id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        state -> Text,
        countries -> Text,
        from_date -> Date,
        to_date -> Date,
        purpose -> Text,
        funded_by -> Text,
        funding_details -> Nullable<Text>,
        leave_kind -> Text,
        leave_from -> Date,
        leave_to -> Date,
        contact_abroad -> Text,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deputation_adverts (id) {
        id -> BigInt,
        org_id -> Text,
        state -> Text,
        version -> BigInt,
        last_date -> Date,
        content -> Text,
        published_by -> Text,
        published_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deputation_advert_versions (advert_id, version) {
        advert_id -> BigInt,
        version -> BigInt,
        content -> Text,
        at -> Timestamp,
        by_sub -> Text,
    }
}

diesel::table! {
    deputation_applications (id) {
        id -> BigInt,
        advert_id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        state -> Text,
        advert_version -> BigInt,
        documents -> Text,
        remarks -> Nullable<Text>,
        eligibility -> Text,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
        pay_options -> Nullable<Text>,
    }
}

diesel::table! {
    workflow_steps (id) {
        id -> BigInt,
        workflow -> Text,
        record_id -> BigInt,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor_sub -> Text,
        actor_role -> Text,
        at -> Timestamp,
        reason -> Nullable<Text>,
        clearance -> Nullable<Text>,
        clearance_override -> Nullable<Text>,
    }
}

diesel::joinable!(foreign_visits -> employees (employee_code));
diesel::joinable!(foreign_visits -> organisations (org_id));
diesel::joinable!(deputation_adverts -> organisations (org_id));
diesel::joinable!(deputation_advert_versions -> deputation_adverts (advert_id));
diesel::joinable!(deputation_applications -> deputation_adverts (advert_id));
diesel::joinable!(deputation_applications -> employees (employee_code));

diesel::table! {
    exgratia_cases (id) {
        id -> BigInt,
        deceased_name -> Text,
        employee_code -> Nullable<Text>,
        org_id -> Text,
        date_of_death -> Date,
        amounts -> Text,
        total -> BigInt,
        admissible -> Nullable<BigInt>,
        regime -> Text,
        decision -> Text,
        remarks -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    rti_requests (id) {
        id -> BigInt,
        received_on -> Date,
        applicant_name -> Text,
        applicant_address -> Text,
        subject -> Text,
        fee_amount -> BigInt,
        fee_mode -> Text,
        fee_reference -> Nullable<Text>,
        fee_accepted -> Bool,
        fee_refusal_reason -> Nullable<Text>,
        reply_due_on -> Date,
        replied_on -> Nullable<Date>,
        reply_summary -> Nullable<Text>,
        version -> BigInt,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    competency_areas (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        level -> Text,
        kind -> Text,
        name -> Text,
        description -> Nullable<Text>,
        course_ids -> Text,
        active -> Bool,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    interest_sets (employee_code) {
        employee_code -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    employee_interests (employee_code, area_id) {
        employee_code -> Text,
        area_id -> Text,
        rank -> Integer,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    delpge_programmes (id) {
        id -> BigInt,
        name -> Text,
        category -> Text,
        units -> BigInt,
        session -> Text,
        seats -> BigInt,
        eligible_levels -> Text,
        eligible_ministries -> Text,
        complete_by -> Date,
        minimum_grade -> Text,
        notified_by -> Text,
        notified_at -> Timestamp,
    }
}

diesel::table! {
    delpge_enrolments (id) {
        id -> BigInt,
        programme_id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        enrolled_on -> Date,
        enrolled_at -> Timestamp,
        claimed -> Bool,
        certificate_reference -> Nullable<Text>,
        certificate_issued_by -> Nullable<Text>,
        certificate_issued_on -> Nullable<Date>,
    }
}

diesel::table! {
    delpge_claims (id) {
        id -> BigInt,
        enrolment_id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        category -> Text,
        fee_paid -> BigInt,
        receipt_ref -> Text,
        completed_on -> Date,
        grade -> Text,
        units -> BigInt,
        admissible -> Bool,
        amount -> BigInt,
        decision -> Text,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        filed_at -> Timestamp,
    }
}

diesel::joinable!(exgratia_cases -> organisations (org_id));
diesel::joinable!(delpge_enrolments -> delpge_programmes (programme_id));
diesel::joinable!(delpge_claims -> delpge_enrolments (enrolment_id));
diesel::joinable!(delpge_claims -> employees (employee_code));
diesel::joinable!(delpge_claims -> organisations (org_id));
diesel::joinable!(interest_sets -> employees (employee_code));
diesel::joinable!(employee_interests -> competency_areas (area_id));
diesel::joinable!(employee_interests -> employees (employee_code));

// Every table, once: each new table joins this list.
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    nodal_officers,
    employees,
    service_events,
    macp_due,
    nfs_due,
    audit_log,
    change_events,
    vigilance_statuses,
    ipr_returns,
    profiles,
    validation_rounds,
    working_strength_sets,
    working_strength,
    apars,
    empanelment_batches,
    empanelment_proposals,
    empanelment_runs,
    foreign_visits,
    deputation_adverts,
    deputation_advert_versions,
    deputation_applications,
    workflow_steps,
    exgratia_cases,
    rti_requests,
    competency_areas,
    interest_sets,
    employee_interests,
    delpge_programmes,
    delpge_enrolments,
    delpge_claims,
);

diesel::table! {
    change_feed_horizon (id) {
        id -> Integer,
        txid -> BigInt,
        event_id -> BigInt,
        pruned_at -> Timestamp,
    }
}

diesel::table! {
    prints (code) {
        code -> Text,
        document -> Text,
        reference -> Text,
        version -> BigInt,
        printed_at -> Timestamp,
        printed_by -> Text,
    }
}

diesel::table! {
    ministry_group_sets (effective_from) {
        effective_from -> Date,
        order_ref -> Text,
        set_at -> Timestamp,
        set_by -> Text,
    }
}

diesel::table! {
    ministry_groups (effective_from, org_id) {
        effective_from -> Date,
        org_id -> Text,
        grp -> Text,
    }
}

diesel::joinable!(ministry_groups -> ministry_group_sets (effective_from));
diesel::allow_tables_to_appear_in_same_query!(ministry_groups, ministry_group_sets, organisations);

diesel::table! {
    surplus_requisitions (id) {
        id -> BigInt,
        org_id -> Text,
        state -> Text,
        version -> BigInt,
        designation -> Text,
        total_vacancies -> BigInt,
        document -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    surplus_nominations (requisition_id, seq) {
        requisition_id -> BigInt,
        seq -> BigInt,
        name -> Text,
        particulars -> Text,
        nominated_on -> Date,
        due_on -> Date,
        appointed_on -> Nullable<Date>,
        appointment_order -> Nullable<Text>,
    }
}

diesel::joinable!(surplus_requisitions -> organisations (org_id));
diesel::joinable!(surplus_nominations -> surplus_requisitions (requisition_id));
diesel::allow_tables_to_appear_in_same_query!(
    surplus_requisitions,
    surplus_nominations,
    organisations,
);

diesel::table! {
    oauth_clients (client_id) {
        client_id -> Text,
        name -> Text,
        portal -> Text,
        scopes -> Text,
        auth_method -> Text,
        jwks -> Nullable<Text>,
        secret_hash -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    oauth_assertion_jtis (client_id, jti) {
        client_id -> Text,
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        state -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    /// The version of what employee list pages are read from (issue 17).
    list_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    rate_limits (limit_key) {
        limit_key -> Text,
        tat_us -> BigInt,
    }
}

diesel::table! {
    /// Webhook subscriptions of integration clients (INT-1, INT-2).
    webhook_subscriptions (id) {
        id -> BigInt,
        client_id -> Text,
        url -> Text,
        types -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        status -> Text,
        disabled_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The durable queue of webhook deliveries (INT-2).
    webhook_deliveries (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        event_id -> Nullable<BigInt>,
        msg_id -> Text,
        event_type -> Text,
        entity -> Text,
        entity_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claim -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_response_code -> Nullable<Integer>,
        last_latency_ms -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(webhook_subscriptions -> oauth_clients (client_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhook_subscriptions,
    webhook_deliveries,
    oauth_clients
);
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, change_events);
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, audit_log);

diesel::table! {
    rotation_rounds (id) {
        id -> BigInt,
        cadre -> Text,
        grades -> Text,
        preferences_open -> Date,
        preferences_close -> Date,
        allocation_on -> Date,
        orders_on -> Date,
        min_preferences -> Integer,
        max_preferences -> Integer,
        state -> Text,
        cancel_reason -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        couple_versions -> BigInt,
    }
}

diesel::table! {
    rotation_preferences (round_id, employee_code) {
        round_id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        ministries -> Text,
        version -> BigInt,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(rotation_preferences -> rotation_rounds (round_id));
diesel::allow_tables_to_appear_in_same_query!(rotation_rounds, rotation_preferences);
diesel::allow_tables_to_appear_in_same_query!(rotation_rounds, employees);
diesel::allow_tables_to_appear_in_same_query!(rotation_rounds, organisations);
diesel::allow_tables_to_appear_in_same_query!(rotation_preferences, employees);
diesel::allow_tables_to_appear_in_same_query!(rotation_preferences, organisations);

diesel::table! {
    rotation_runs (id) {
        id -> BigInt,
        round_id -> BigInt,
        as_of -> Date,
        inputs -> Text,
        result -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        order_ref -> Nullable<Text>,
    }
}

diesel::joinable!(rotation_runs -> rotation_rounds (round_id));
diesel::allow_tables_to_appear_in_same_query!(rotation_runs, rotation_rounds);

diesel::table! {
    spouse_postings (id) {
        id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        state -> Text,
        spouse -> Text,
        spouse_case -> Text,
        mandatory -> Bool,
        decision -> Text,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(spouse_postings -> employees (employee_code));
diesel::joinable!(spouse_postings -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(spouse_postings, employees);
diesel::allow_tables_to_appear_in_same_query!(spouse_postings, organisations);

diesel::table! {
    rotation_representations (id) {
        id -> BigInt,
        round_id -> BigInt,
        run_id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        state -> Text,
        approved_by -> Text,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(rotation_representations -> employees (employee_code));
diesel::joinable!(rotation_representations -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(rotation_representations, employees);
diesel::allow_tables_to_appear_in_same_query!(rotation_representations, organisations);

diesel::table! {
    rotation_couples (round_id, first_code) {
        round_id -> BigInt,
        first_code -> Text,
        second_code -> Text,
        first_org -> Text,
        second_org -> Text,
        joint -> Text,
        version -> BigInt,
        proposed_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    promotion_outlooks (id) {
        id -> BigInt,
        employee_code -> Text,
        org_id -> Text,
        dated -> Date,
        order_ref -> Text,
        remarks -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}
